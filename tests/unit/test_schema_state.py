"""One judgement of a database's schema revision, which /readyz and `sonata check` word each their way."""

from sonata.adapters.sql.database import SchemaState, schema_state

SHIPPED = ["0001", "0002", "0003"]


def test_a_schema_stands_against_the_migrations_shipped() -> None:
    assert schema_state(None, SHIPPED) is SchemaState.EMPTY
    assert schema_state("0001", SHIPPED) is SchemaState.OLDER
    assert schema_state("0003", SHIPPED) is SchemaState.CURRENT
    assert schema_state("0004_from_the_future", SHIPPED) is SchemaState.NEWER
