// A benchmark package imports LocalityCLI alone: Benchmark, Kernel, ByteSize and the rest of
// the harness come with it.
@_exported import Harness
