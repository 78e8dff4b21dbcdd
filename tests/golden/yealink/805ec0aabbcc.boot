#!version:1.0.0.1
## Sonata boot file
include:config "http://sonata.example.net:8080/v1/device/device-key-0001/y000000000096.cfg"
include:config "http://sonata.example.net:8080/v1/device/device-key-0001/805ec0aabbcc.cfg"
