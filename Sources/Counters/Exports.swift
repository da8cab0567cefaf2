// Every count Counters reads carries its source (`Event.source`): the type comes with the library.
@_exported import CounterVocabulary
