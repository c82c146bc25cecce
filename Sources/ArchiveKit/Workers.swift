import Foundation

/// Dedicated threads running submitted jobs, at most `capacity` waiting: `submit` blocks while
/// the queue is full, so the bytes jobs hold stay bounded. With one thread, jobs run in order.
/// Dedicated threads rather than Dispatch's pool: the signer's v1 digest workers already occupy
/// that pool, and jobs queued behind them would stall the thread that feeds them. The threads keep
/// the pool alive, so its owner must call `finish()` (in its `deinit` at the latest).
public final class BoundedWorkers: @unchecked Sendable {
    // @unchecked: every field below is read and written under `condition` only.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var running = 0
    private var closed = false
    private var alive = 0
    private let capacity: Int

    public init(threads: Int, capacity: Int, name: String) {
        self.capacity = max(1, capacity)
        alive = max(1, threads)
        for index in 0..<alive {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    public func submit(_ job: @escaping () -> Void) {
        condition.lock()
        while jobs.count >= capacity { condition.wait() }
        jobs.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every job submitted so far has run; the threads stay for more.
    public func waitUntilIdle() {
        condition.lock()
        while !jobs.isEmpty || running > 0 { condition.wait() }
        condition.unlock()
    }

    /// Runs what was submitted to the end and stops the threads; later submissions are a bug.
    public func finish() {
        condition.lock()
        closed = true
        condition.broadcast()
        while alive > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                running += 1
                condition.broadcast()
                condition.unlock()
                job()
                condition.lock()
                running -= 1
                condition.broadcast()
            } else if closed {
                break
            } else {
                condition.wait()
            }
        }
        alive -= 1
        condition.broadcast()
        condition.unlock()
    }

}

/// Results written by index from several threads; each index is written once. Writing past
/// the end grows the storage (for producers that do not know the count up front).
public final class IndexedResults<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    public init(count: Int) { storage = Array(repeating: nil, count: count) }

    public subscript(index: Int) -> Value? {
        get { lock.lock(); defer { lock.unlock() }; return index < storage.count ? storage[index] : nil }
        set {
            lock.lock(); defer { lock.unlock() }
            if index >= storage.count { storage += repeatElement(nil, count: index - storage.count + 1) }
            storage[index] = newValue
        }
    }
}
