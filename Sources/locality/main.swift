import Experiments
import LocalityCLI

Locality.main(experiments: Suite.all)
