import Foundation

/// A cancellation request shared by the caller and the build thread.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    func request() { lock.withLock { requested = true } }
    var isRequested: Bool { lock.withLock { requested } }
}

/// Delivers one value to any number of waiters, before or after it arrives.
final class Completion<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private var waiters: [CheckedContinuation<Value, Never>] = []
    private let condition = NSCondition()

    func resolve(_ result: Value) {
        let pending: [CheckedContinuation<Value, Never>] = lock.withLock {
            value = result
            defer { waiters = [] }
            return waiters
        }
        condition.lock()
        condition.broadcast()
        condition.unlock()
        for waiter in pending { waiter.resume(returning: result) }
    }

    func wait() async -> Value {
        await withCheckedContinuation { continuation in
            let ready: Value? = lock.withLock {
                if let value { return value }
                waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func waitBlocking() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let ready = lock.withLock({ value }) { return ready }
            condition.wait()
        }
    }
}

/// A running build: its events, a way to cancel it, and its final record.
public final class BuildHandle: Sendable {
    public let id: String
    /// Every event in order; the last one is `.finished`. Meant for one consumer.
    public let events: AsyncStream<BuildEvent>
    let cancellation: CancellationFlag
    let completion: Completion<BuildRecord>

    init(id: String, events: AsyncStream<BuildEvent>, cancellation: CancellationFlag, completion: Completion<BuildRecord>) {
        self.id = id
        self.events = events
        self.cancellation = cancellation
        self.completion = completion
    }

    /// Asks the build to stop at the next check; it then removes everything it wrote except
    /// its record and log, and finishes with status `cancelled`.
    public func cancel() { cancellation.request() }

    /// The final record, once the build has finished, failed or been cancelled.
    public func result() async -> BuildRecord { await completion.wait() }

    /// The same, blocking the calling thread (for callers outside Swift concurrency).
    public func waitUntilFinished() -> BuildRecord { completion.waitBlocking() }
}
