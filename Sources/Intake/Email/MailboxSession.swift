import Dispatch

/// Confines one blocking `IMAPClient` to a serial queue of its own, off the cooperative thread pool.
struct MailboxSession: Sendable {
    let client: IMAPClient
    private let queue = DispatchQueue(label: "drsocial.imap")

    init(client: IMAPClient) { self.client = client }

    func run<T: Sendable>(_ body: @escaping @Sendable (IMAPClient) throws(CurlError) -> T) async throws(CurlError) -> T {
        try await attempt(body).get()
    }

    /// Runs `body` and hands back its result or its error.
    func attempt<T: Sendable>(_ body: @escaping @Sendable (IMAPClient) throws(CurlError) -> T) async -> Result<T, CurlError> {
        let client = self.client
        return await withCheckedContinuation { continuation in
            queue.async {
                do throws(CurlError) {
                    continuation.resume(returning: .success(try body(client)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
    }
}
