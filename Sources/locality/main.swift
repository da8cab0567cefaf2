import LocalityCLI

Locality.main()
