// Sonata's GraphiQL page: GraphiQL and its explorer plugin, from the files Sonata serves itself.
"use strict";

(function () {
  const endpoint = window.location.href.split(/[?#]/)[0];
  const send = GraphiQL.createFetcher({ url: endpoint });

  const EXAMPLE = `# Sonata's management API.
#
# Put the API token into the Headers tab below, as
#   {"Authorization": "Bearer <token>"}
# The documentation (book icon, top left) and autocomplete follow once it is there.
# Run a query with Ctrl-Enter or the play button.

{
  vendors {
    id
    name
  }
}
`;

  // GraphiQL keeps tabs, history, queries and headers in its storage: here that lives in the page
  // only, so the browser keeps nothing of it (no token, no password typed into a variable).
  function pageStorage() {
    const items = new Map();
    return {
      getItem: (key) => (items.has(key) ? items.get(key) : null),
      setItem: (key, value) => void items.set(key, String(value)),
      removeItem: (key) => void items.delete(key),
      clear: () => items.clear(),
      get length() {
        return items.size;
      },
    };
  }

  // The headers as GraphiQL sends them, or null while they are no JSON object (mid-typing).
  function headersKey(text) {
    try {
      const headers = JSON.parse(text.trim() || "{}");
      return headers !== null && typeof headers === "object" && !Array.isArray(headers)
        ? JSON.stringify(headers)
        : null;
    } catch {
      return null;
    }
  }

  // GraphiQL shows a failed schema fetch in the response pane and leaves it there when the schema
  // arrives later: then the pane is emptied, so the 401 of the fetch without a token goes away.
  function ClearSchemaError() {
    const { schema, fetchError } = GraphiQL.React.useSchemaContext({ nonNull: true });
    const { responseEditor } = GraphiQL.React.useEditorContext({ nonNull: true });
    const shown = React.useRef(null);
    React.useEffect(() => {
      if (fetchError) {
        shown.current = fetchError;
      } else if (schema && responseEditor && shown.current !== null) {
        if (responseEditor.getValue() === shown.current) responseEditor.setValue("");
        shown.current = null;
      }
    }, [schema, fetchError, responseEditor]);
    return null;
  }

  const storage = pageStorage();
  const plugins = [GraphiQLPluginExplorer.explorerPlugin()];
  const SETTLE_MS = 400;

  // GraphiQL fetches the schema again whenever it is given a new fetcher: one is made each time the
  // headers have settled on a new value, so the schema follows the token typed in.
  function SonataGraphiQL() {
    const [headers, setHeaders] = React.useState("{}");
    const settling = React.useRef(undefined);
    React.useEffect(() => () => clearTimeout(settling.current), []);
    const fetcher = React.useMemo(() => (params, options) => send(params, options), [headers]);

    function onEditHeaders(text) {
      clearTimeout(settling.current);
      settling.current = setTimeout(() => {
        const key = headersKey(text);
        if (key !== null) setHeaders(key);
      }, SETTLE_MS);
    }

    return React.createElement(
      GraphiQL,
      {
        fetcher,
        storage,
        plugins,
        defaultQuery: EXAMPLE,
        onEditHeaders,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: "headers",
        inputValueDeprecation: true,
      },
      React.createElement(GraphiQL.Footer, null, React.createElement(ClearSchemaError)),
    );
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(SonataGraphiQL));
})();
