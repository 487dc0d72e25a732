// The umbrella module: everything a program that trains with Cairn needs, with the built-in strategies
// registered in `StrategyRegistry.builtIn`. Libraries that must not see the built-in strategies (the conformance
// kit, third-party strategies) import the modules they need instead.
@_exported import CairnCheckpoint
@_exported import CairnConfig
@_exported import CairnCore
@_exported import CairnData
@_exported import CairnDDP
@_exported import CairnFSDP
@_exported import CairnEmbedded
@_exported import CairnLoRA
@_exported import CairnMPI
@_exported import CairnNN
@_exported import CairnOptim
@_exported import CairnSafetensors
@_exported import CairnSingle
@_exported import CairnTensor
@_exported import CairnTrainer
@_exported import CairnZeRO
