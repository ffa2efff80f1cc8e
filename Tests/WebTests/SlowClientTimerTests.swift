import NIOCore
import Testing

@testable import Web

/// The slow-client rules on their own, on made-up time: heads must arrive whole in time, bodies must keep
/// moving, and time in which the server does not read is not held against the client.
struct SlowClientTimerTests {
    /// Plays a connection's events against the timer, firing it whenever its deadline is passed.
    struct Connection {
        var timer = SlowClientTimer(headerTimeout: .seconds(10), bodyTimeout: .seconds(30), minimumBodyBytes: 30 * 1024)
        var armed: NIODeadline?
        var closed: (SlowClientTimer.Reason, NIODeadline)?
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

        mutating func apply(_ action: SlowClientTimer.Action) {
            switch action {
            case .none: break
            case .cancel: armed = nil
            case .schedule(let deadline): armed = deadline
            case .close(let reason):
                armed = nil
                closed = (reason, now)
            }
        }

        /// Lets `seconds` pass, firing the timer at each deadline on the way.
        mutating func wait(_ seconds: Double) {
            let end = now + .nanoseconds(Int64(seconds * 1e9))
            while closed == nil, let deadline = armed, deadline <= end {
                now = deadline
                armed = nil
                apply(timer.timerFired(now: now))
            }
            if closed == nil { now = end }
        }

        /// A socket read that carried `bytes` of body, after which the server asks for more (or not).
        mutating func bodyArrives(_ bytes: Int, serverAsksForMore: Bool = true) {
            apply(timer.receivedBody(bytes: bytes, now: now))
            timer.readCompleted()
            if serverAsksForMore { apply(timer.readRequested(now: now)) }
        }

        /// The timer fires `seconds` after its deadline: the event loop was busy until then.
        mutating func fireLate(by seconds: Double) {
            guard closed == nil, let deadline = armed else { return }
            now = deadline + .nanoseconds(Int64(seconds * 1e9))
            armed = nil
            apply(timer.timerFired(now: now))
        }

        mutating func start() {
            apply(timer.connected(now: now))
            apply(timer.readRequested(now: now))
        }

        /// Seconds since the connection opened.
        func seconds(_ deadline: NIODeadline) -> Double { Double((deadline - .uptimeNanoseconds(1_000_000_000_000)).nanoseconds) / 1e9 }
    }

    @Test func aHeadThatDoesNotArriveInTimeClosesTheConnection() {
        var connection = Connection()
        connection.start()
        connection.wait(9.9)
        #expect(connection.closed == nil)
        connection.wait(0.2)
        #expect(connection.closed?.0 == .header)
        #expect(connection.closed.map { connection.seconds($0.1) } == 10)
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterItsAnswer() {
        var connection = Connection()
        connection.start()
        connection.wait(5)
        connection.apply(connection.timer.receivedHead(now: connection.now))
        connection.apply(connection.timer.receivedEnd(now: connection.now))
        connection.wait(60)  // the server takes its time to answer: not the client's fault
        #expect(connection.closed == nil)
        connection.apply(connection.timer.respondedEnd(now: connection.now))
        connection.wait(9)
        #expect(connection.closed == nil)
        connection.wait(2)
        #expect(connection.closed?.0 == .header)
        #expect(connection.closed.map { connection.seconds($0.1) } == 75)
    }

    @Test func aLongUploadThatKeepsMovingIsNeverCut() {
        var connection = Connection()
        connection.start()
        connection.apply(connection.timer.receivedHead(now: connection.now))
        // Two hours at 2 KiB/s, twice the slowest rate allowed, in 1 s steps.
        for _ in 0..<7200 {
            connection.wait(1)
            connection.bodyArrives(2048)
        }
        #expect(connection.closed == nil)
        connection.apply(connection.timer.receivedEnd(now: connection.now))
        #expect(connection.closed == nil)
    }

    @Test func aBodyBelowTheSlowestRateIsClosedAfterAWindow() {
        var connection = Connection()
        connection.start()
        connection.apply(connection.timer.receivedHead(now: connection.now))
        // 512 B/s, half the slowest rate: a window never fills.
        for _ in 0..<120 where connection.closed == nil {
            connection.wait(1)
            connection.bodyArrives(512)
        }
        #expect(connection.closed?.0 == .body)
        #expect(connection.closed.map { connection.seconds($0.1) } == 30)
    }

    @Test func aBodyThatStopsIsClosedOneWindowAfterItsLastProgress() {
        var connection = Connection()
        connection.start()
        connection.apply(connection.timer.receivedHead(now: connection.now))
        connection.wait(1)
        connection.bodyArrives(1 << 20)
        connection.wait(100)
        #expect(connection.closed?.0 == .body)
        #expect(connection.closed.map { connection.seconds($0.1) } == 31)
    }

    @Test func timeTheServerDoesNotReadIsNotHeldAgainstTheClient() {
        var connection = Connection()
        connection.start()
        connection.apply(connection.timer.receivedHead(now: connection.now))
        connection.wait(1)
        // The server's consumer is behind: it asks for nothing for ten minutes.
        connection.bodyArrives(1 << 20, serverAsksForMore: false)
        connection.wait(600)
        #expect(connection.closed == nil)
        // It catches up and asks again: the client gets a whole window from now.
        connection.apply(connection.timer.readRequested(now: connection.now))
        connection.wait(29)
        #expect(connection.closed == nil)
        connection.wait(2)
        #expect(connection.closed?.0 == .body)
        #expect(connection.closed.map { connection.seconds($0.1) } == 631)
    }

    @Test func aTimerThatFiresLateLetsTheEventLoopReadBeforeJudging() {
        // The loop was busy until 3 s past the head's deadline; the head came in meanwhile, unread.
        var connection = Connection()
        connection.start()
        connection.fireLate(by: 3)
        #expect(connection.closed == nil)
        #expect(connection.armed.map { connection.seconds($0) } == 16)
        connection.apply(connection.timer.receivedHead(now: connection.now))
        connection.wait(5)
        #expect(connection.closed == nil, "the head was read once the loop caught up")

        // No head came: judged once the loop had as long again to read, on time.
        var silent = Connection()
        silent.start()
        silent.fireLate(by: 3)
        silent.wait(10)
        #expect(silent.closed?.0 == .header)
        #expect(silent.closed.map { silent.seconds($0.1) } == 16)

        // One wait per deadline: a loop late again is not waited for twice.
        var late = Connection()
        late.start()
        late.fireLate(by: 3)
        late.fireLate(by: 2)
        #expect(late.closed?.0 == .header)
        #expect(late.closed.map { late.seconds($0.1) } == 18)

        // A firing within `lateness` judges at once.
        var prompt = Connection()
        prompt.start()
        prompt.fireLate(by: 0.05)
        #expect(prompt.closed?.0 == .header)
    }

    @Test func aBodyTimerThatFiresLateLetsTheEventLoopReadBeforeJudging() {
        var connection = Connection()
        connection.start()
        connection.apply(connection.timer.receivedHead(now: connection.now))
        // The body's window ends at 30 s; the loop fires it at 50 s, with a megabyte unread in the socket.
        connection.fireLate(by: 20)
        #expect(connection.closed == nil)
        connection.bodyArrives(1 << 20)
        connection.wait(20)
        #expect(connection.closed == nil, "the body moved while the loop was busy")
        // Then it stops: closed one window after the progress the loop read at 50 s.
        connection.wait(60)
        #expect(connection.closed?.0 == .body)
        #expect(connection.closed.map { connection.seconds($0.1) } == 80)
    }
}
