import NIOCore

/// When one connection's slow-client guard closes it: the rules of `SlowClientHandler`, without I/O.
///
/// - While the connection waits for a request head (from its opening, and again once every request on it
///   has been answered), the head must arrive whole within `headerTimeout`, however it trickles in.
/// - While a request body is read, it must advance by `minimumBodyBytes` within every `bodyTimeout`; time in
///   which the server asks for nothing (its consumer is behind, so reading is paused) does not count. A
///   multi-gigabyte upload that keeps moving is never cut, whatever it lasts.
/// - While a response is being produced nothing is timed: that is the server's work, not the client's.
/// - A client is judged only on time the event loop was watching it: a timer that fires more than `lateness`
///   after its deadline found the loop busy (other connections' work, or the process stalled on a loaded
///   machine), and what the client sent meanwhile may still be unread in the socket. It waits as long again,
///   once, so the loop reads first, then judges.
///
/// The handler reports each event with the time and does what the answer says.
struct SlowClientTimer {
    /// What the handler does next.
    enum Action: Equatable {
        /// Nothing changes.
        case none
        /// (Re)arm the one timer to fire at this time.
        case schedule(NIODeadline)
        /// Disarm the timer.
        case cancel
        /// Close the connection: the client was too slow.
        case close(Reason)
    }

    /// Why a connection was closed.
    enum Reason: String, Equatable {
        /// The request head did not arrive in time.
        case header
        /// The body advanced too little in a window.
        case body
    }

    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    /// Bytes the body must advance by within each `bodyTimeout` (at least 1).
    let minimumBodyBytes: Int

    /// When the head being waited for is due; nil when no head is awaited.
    private(set) var headDeadline: NIODeadline?
    /// Requests whose head arrived and whose response has not ended.
    private(set) var unanswered = 0
    /// A request body is being received.
    private(set) var readingBody = false
    /// The server has asked the socket for more bytes and not yet had them.
    private var readPending = false
    /// The last time the body made enough progress (or reading resumed).
    private var bodyProgressAt = NIODeadline.uptimeNanoseconds(0)
    /// Body bytes since `bodyProgressAt`.
    private var bodyBytes = 0
    /// The body timer stopped because the server asked for nothing; a read request restarts it.
    private var bodyPaused = false
    /// The deadline the timer is armed for; nil when disarmed.
    private(set) var armedFor: NIODeadline?
    /// The armed deadline is a late firing's wait for the event loop to catch up (only one per deadline).
    private var waitingForLoop = false

    /// How late a timer may fire and still judge the client (an idle loop fires within a millisecond).
    static let lateness = TimeAmount.milliseconds(100)

    /// - Parameters:
    ///   - headerTimeout: Time a request head has to arrive.
    ///   - bodyTimeout: The window in which the body must advance by `minimumBodyBytes`.
    ///   - minimumBodyBytes: Progress needed per window (1 makes it a plain stall timeout).
    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, minimumBodyBytes: Int) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.minimumBodyBytes = max(1, minimumBodyBytes)
    }

    /// The connection is open: wait for the first head.
    mutating func connected(now: NIODeadline) -> Action { awaitHead(now: now) }

    /// A request head arrived.
    mutating func receivedHead(now: NIODeadline) -> Action {
        headDeadline = nil
        unanswered += 1
        readingBody = true
        bodyProgressAt = now
        bodyBytes = 0
        bodyPaused = false
        return schedule(now + bodyTimeout)
    }

    /// Body bytes arrived.
    mutating func receivedBody(bytes: Int, now: NIODeadline) -> Action {
        bodyBytes += bytes
        if bodyBytes >= minimumBodyBytes {
            bodyProgressAt = now
            bodyBytes = 0
        }
        return .none
    }

    /// The request ended.
    mutating func receivedEnd(now: NIODeadline) -> Action {
        readingBody = false
        return unanswered == 0 ? awaitHead(now: now) : disarm()
    }

    /// A response ended.
    mutating func respondedEnd(now: NIODeadline) -> Action {
        unanswered = max(0, unanswered - 1)
        return unanswered == 0 && !readingBody ? awaitHead(now: now) : .none
    }

    /// The server asked for more bytes.
    mutating func readRequested(now: NIODeadline) -> Action {
        readPending = true
        guard readingBody, bodyPaused else { return .none }
        bodyPaused = false
        bodyProgressAt = now
        bodyBytes = 0
        return schedule(now + bodyTimeout)
    }

    /// A socket read was delivered; the server asks again when it wants more.
    mutating func readCompleted() { readPending = false }

    /// The timer fired.
    mutating func timerFired(now: NIODeadline) -> Action {
        if let armed = armedFor, !waitingForLoop, now - armed > Self.lateness {
            // Give the loop the time it lost (at most one timeout) before judging.
            let wait = min(now - armed, readingBody ? bodyTimeout : headerTimeout)
            armedFor = now + wait
            waitingForLoop = true
            return .schedule(now + wait)
        }
        armedFor = nil
        if readingBody {
            guard readPending else {
                bodyPaused = true
                return disarm()
            }
            let due = bodyProgressAt + bodyTimeout
            return now >= due ? close(.body) : schedule(due)
        }
        if unanswered == 0, let headDeadline {
            return now >= headDeadline ? close(.header) : schedule(headDeadline)
        }
        return .none
    }

    private mutating func awaitHead(now: NIODeadline) -> Action {
        let due = now + headerTimeout
        headDeadline = due
        return schedule(due)
    }

    /// Arms the timer for `deadline`.
    private mutating func schedule(_ deadline: NIODeadline) -> Action {
        armedFor = deadline
        waitingForLoop = false
        return .schedule(deadline)
    }

    private mutating func disarm() -> Action {
        armedFor = nil
        waitingForLoop = false
        return .cancel
    }

    private mutating func close(_ reason: Reason) -> Action {
        armedFor = nil
        waitingForLoop = false
        return .close(reason)
    }
}
