import Foundation
import Glibc

/// A TCP connection to a loopback server, for speaking HTTP/1.1 byte by byte.
final class RawConnection {
    private let descriptor: Int32
    private var pending = Data()

    /// Connects to `localhost:port` (whichever of its addresses answers).
    init(port: Int) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo("localhost", String(port), &hints, &list) == 0, let first = list else {
            throw RawConnectionError("cannot resolve localhost")
        }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let address = candidate, connected < 0 {
            let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if socket >= 0 {
                if connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { connected = socket } else { close(socket) }
            }
            candidate = address.pointee.ai_next
        }
        guard connected >= 0 else { throw RawConnectionError("cannot connect to localhost:\(port)") }
        descriptor = connected
    }

    /// Connects to `127.0.0.1:port` from the loopback address `source` (any of 127.0.0.0/8), so that one test
    /// can be several clients.
    init(port: Int, from source: String) throws {
        func address(_ host: String, _ port: Int) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            return address
        }
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawConnectionError("socket failed (errno \(errno))") }
        var local = address(source, 0)
        var remote = address("127.0.0.1", port)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, size) } }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, size) } }
        guard bound == 0, connected == 0 else {
            close(socket)
            throw RawConnectionError("cannot connect to 127.0.0.1:\(port) from \(source) (errno \(errno))")
        }
        descriptor = socket
    }

    deinit { close(descriptor) }

    func send(_ data: Data) throws {
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw RawConnectionError("send failed (errno \(errno))") }
                offset += sent
            }
        }
    }

    /// Whether the server has closed the connection (end of stream or reset), without waiting. Bytes the
    /// server sent first are kept for `receive`.
    func isClosedByPeer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                pending.append(contentsOf: buffer[0..<count])
                continue
            }
            if count == 0 { return true }
            return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
        }
    }

    /// Reads until `marker` (returning everything up to and including it), or throws after the timeout.
    /// Never blocks its thread: the server under test runs its handlers on the same cooperative pool.
    func receive(until marker: String, timeoutSeconds: Int) async throws -> String {
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        let needle = Data(marker.utf8)
        while true {
            if let range = pending.range(of: needle) {
                let answer = pending[..<range.upperBound]
                pending = Data(pending[range.upperBound...])
                return String(decoding: answer, as: UTF8.self)
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw RawConnectionError(
                    "no \(marker.debugDescription) within \(timeoutSeconds) s; got \(String(decoding: pending, as: UTF8.self).debugDescription)"
                )
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw RawConnectionError("connection closed; got \(String(decoding: pending, as: UTF8.self).debugDescription)") }
            pending.append(contentsOf: buffer[0..<count])
        }
    }
}

/// Why a raw connection failed.
struct RawConnectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
