// The machine facts (MachineInfo, ByteSize, limits, mappings) come with the harness, so an
// experiment needs one import.
@_exported import Platform
