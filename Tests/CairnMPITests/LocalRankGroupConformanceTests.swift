import CairnConformance
import CairnEmbedded
import Testing

/// The communicator laws on the in-process group, at every world size from 1 to 4: the reference that
/// `MPICommunicator` is held to.
@Test(arguments: 1...4)
func localRankGroupSatisfiesTheCommunicatorLaws(worldSize: Int) async {
    let group = LocalRankGroup(worldSize: worldSize, timeout: .seconds(30))
    await CommunicatorConformance.verify(worldSize: worldSize) { rankBody in
        try await group.run { communicator in await rankBody(communicator) }
    }
}
