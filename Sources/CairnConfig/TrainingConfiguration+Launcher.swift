public import CairnCore

extension TrainingConfiguration {
    /// Takes the world size from an MPI launcher (`mpiexec -n N` starts N processes, one rank each).
    ///
    /// A config without `dist_config.world_size` adopts `size`; one that names the same size is unchanged; one that
    /// names another size is an error, so a run never silently trains with a global batch it was not written for.
    /// - Throws: ``ConfigurationError`` `.invalidValue` at `dist_config.world_size`.
    public mutating func adoptLauncherWorldSize(_ size: Int) throws(ConfigurationError) {
        if let written = distConfig.node["world_size"], !written.isNull {
            guard distConfig.worldSize == size else {
                throw ConfigurationError(
                    .invalidValue, keyPath: "dist_config.world_size", position: written.position,
                    "is \(distConfig.worldSize ?? 1) but the MPI launcher started \(size) processes; remove world_size or set it to \(size)")
            }
            return
        }
        distConfig.worldSize = size
        try validate()
    }
}
