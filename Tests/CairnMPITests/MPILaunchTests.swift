import CairnMPI
import Testing

@Suite struct MPILaunchTests {
    @Test func hydraVariablesAreDetected() {
        let launch = MPILaunch.detect(environment: ["PMI_RANK": "1", "PMI_SIZE": "4", "PATH": "/usr/bin"])
        #expect(launch == MPILaunch(rank: 1, worldSize: 4, launcher: .pmi))
    }

    @Test func openMPIVariablesAreDetected() {
        let launch = MPILaunch.detect(environment: ["OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "2"])
        #expect(launch == MPILaunch(rank: 0, worldSize: 2, launcher: .openMPI))
    }

    @Test func pmixTakesItsSizeFromAnotherVariable() {
        #expect(MPILaunch.detect(environment: ["PMIX_RANK": "3", "SLURM_NTASKS": "8"])
            == MPILaunch(rank: 3, worldSize: 8, launcher: .pmix))
        #expect(MPILaunch.detect(environment: ["PMIX_RANK": "3"])
            == MPILaunch(rank: 3, worldSize: nil, launcher: .pmix))
    }

    @Test func hydraWinsWhenSeveralLaunchersAreVisible() {
        let launch = MPILaunch.detect(environment: ["PMI_RANK": "2", "PMI_SIZE": "3", "OMPI_COMM_WORLD_RANK": "0"])
        #expect(launch?.launcher == .pmi)
        #expect(launch?.rank == 2)
    }

    @Test(arguments: [
        [:], ["PMI_RANK": "x"], ["PMI_RANK": "-1"], ["PMI_RANK": "4", "PMI_SIZE": "4"], ["SLURM_NTASKS": "2"],
    ] as [[String: String]])
    func noLaunchIsDetectedFromMissingOrInvalidVariables(environment: [String: String]) {
        #expect(MPILaunch.detect(environment: environment) == nil)
    }

    @Test func thisTestProcessWasNotLaunchedByMPI() {
        let environment = MPILaunch.currentEnvironment()
        #expect(environment["PATH"] != nil)
        if environment["PMI_RANK"] == nil, environment["OMPI_COMM_WORLD_RANK"] == nil, environment["PMIX_RANK"] == nil {
            #expect(MPILaunch.detect() == nil)
        }
    }
}
