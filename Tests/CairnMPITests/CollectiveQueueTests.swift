@testable import CairnMPI
import Synchronization
import Testing

@Suite struct CollectiveQueueTests {
    @Test func holdersNeverOverlapAndEveryWaiterGetsATurn() async {
        let queue = CollectiveQueue()
        let state = Shared((holders: 0, mostHolders: 0, turns: 0))
        await withTaskGroup(of: Void.self) { tasks in
            for _ in 0..<64 {
                tasks.addTask {
                    await queue.acquire()
                    state.value.withLock { $0.holders += 1; $0.mostHolders = max($0.mostHolders, $0.holders) }
                    await Task.yield()
                    try? await Task.sleep(for: .microseconds(50))
                    state.value.withLock { $0.holders -= 1; $0.turns += 1 }
                    queue.release()
                }
            }
        }
        let final = state.value.withLock { $0 }
        #expect(final.mostHolders == 1)
        #expect(final.turns == 64)
        #expect(final.holders == 0)
    }

    @Test func waitersAreServedInArrivalOrder() async {
        let queue = CollectiveQueue()
        let order = Shared<[Int]>([])
        await queue.acquire()
        await withTaskGroup(of: Void.self) { tasks in
            for index in 0..<8 {
                tasks.addTask {
                    await queue.acquire()
                    order.value.withLock { $0.append(index) }
                    queue.release()
                }
                // Let each waiter enqueue before the next one starts.
                while queue.waiterCount < index + 1 { await Task.yield() }
            }
            queue.release()
        }
        #expect(order.value.withLock { $0 } == Array(0..<8))
    }
}

/// A mutex the tasks of a test share.
private final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
}
