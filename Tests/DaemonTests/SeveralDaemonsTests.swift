import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Domain
import Intake
import S3
import Store
import TestSupport
import Testing

/// Three daemons on three hosts that share nothing but PostgreSQL, the object store (moto) and the IMAP
/// server, each with a scratch folder of its own: requests come in through two daemons' portals, the CLI and
/// email; one daemon is SIGKILLed while they are processed. Every request completes once, one daemon polls
/// the mailbox, and each surviving daemon serves every request's media.
///
/// Each host is a network namespace the test makes (`NetworkHosts`: a veth pair, addresses of its own, the
/// services' ports forwarded to their loopback listeners; IMAP through a sidecar on the namespace's own
/// loopback, since the daemon wants TLS for IMAP elsewhere); the daemon listens on its namespace's address
/// and the test reaches it there. Where this machine refuses namespaces (no privilege), the test says so and runs
/// the same scenario with the three daemons side by side on loopback.
@Suite(
    .enabled(
        if: TestEnvironment.available(
            TestEnvironment.hasDatabase && TestEnvironment.executable != nil && MotoServer.isInstalled && TestMailServer.isConfigured
        )
    ),
    .serialized
)
struct SeveralDaemonsTests {
    static let domain = "hosts.test"
    static let jwtSecret = "several-daemons-jwt-secret-0123456789abcdef"
    static let opsToken = "several-daemons-operator-token"

    @Test func requestsThroughEveryDoorCompleteOnceWhileADaemonDies() async throws {
        let moto = try await MotoServer.start(authenticated: true)
        defer { moto.stop() }
        let database = try await IsolatedDatabase.make("several_daemons")
        let fixture = try await TenantFixture.make(on: database.pool)
        let box = try TestMailServer.freshMailbox()
        let imapURL = TestMailServer.url(mailbox: box.inbox)
        let servicePorts = try [database.url, imapURL, moto.endpoint.absoluteString].map { try #require(URLComponents(string: $0)?.port) }
        // IMAP through a sidecar on each host's loopback: the daemon insists on TLS for IMAP beyond loopback.
        let (network, refusal) = try NetworkHosts.make(count: 3, forwarding: servicePorts, insideLoopback: [servicePorts[1]])
        defer { network?.remove() }
        let placements: [Placement]
        if let network {
            placements = network.hosts.map { Placement(launcher: NetworkHosts.prefix(for: $0), address: $0.address, services: $0.gateway, port: 8080) }
            print("SeveralDaemonsTests: three network namespaces, daemons at \(placements.map(\.address).joined(separator: ", "))")
        } else {
            placements = try (0..<3).map { _ in Placement(launcher: [], address: "127.0.0.1", services: "127.0.0.1", port: try LoopbackPort.free()) }
            print("SeveralDaemonsTests: network namespaces cannot be made here (\(refusal ?? "?")): the same scenario on loopback")
        }
        /// A daemon's settings on its host: the services at the address that host reaches them at.
        func environment(_ placement: Placement) throws -> [String: String] {
            let here = { (url: String) in url.replacingOccurrences(of: "127.0.0.1", with: placement.services) }
            return [
                "DATABASE_URL": here(database.url), "OPS_TOKEN": Self.opsToken, "JWT_SECRET": Self.jwtSecret,
                "HTTP_HOST": placement.address, "HTTP_PORT": "\(placement.port)",
                "WORKERS": "1", "JOB_LEASE_SECONDS": "2", "LOG_LEVEL": "info", "PIPELINES_DIR": try TestEnvironment.pipelinesWithoutReels().path,
                "BLOB_STORE_URL": "s3://\(moto.bucket)/hosts", "S3_ENDPOINT": here(moto.endpoint.absoluteString), "S3_REGION": "us-east-1",
                "S3_FORCE_PATH_STYLE": "1", "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID,
                "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey,
                "SCRATCH_DIR": try TestEnvironment.temporaryDirectory("hosts-scratch").path,
                "IMAP_URL": imapURL, "IMAP_USER": TestMailServer.user, "IMAP_PASSWORD": TestMailServer.password,
                "INTAKE_DOMAIN": Self.domain, "IMAP_POLL_SECONDS": "1", "IMAP_INGESTED_FOLDER": box.ingested, "IMAP_REFUSED_FOLDER": box.refused,
            ]
        }
        var daemons: [DaemonProcess] = []
        defer { daemons.forEach { $0.kill() } }
        for placement in placements {
            let daemon = try DaemonProcess(arguments: ["serve"], environment: try environment(placement), launcher: placement.launcher)
            #expect(await daemon.waitForOutput(containing: "listening", within: 120), "\(daemon.output.suffix(2000))")
            daemons.append(daemon)
        }

        // Two requests through the CLI (on the first host), two through two daemons' portals, three by email.
        for index in 0..<2 {
            let submit = try DaemonProcess(
                arguments: ["submit", "--talent", fixture.slug, "--prompt", "CLI \(index)", "--platforms", "LI", "--file", TestEnvironment.testmedia("photo.jpg").path],
                environment: try environment(placements[0]), launcher: placements[0].launcher
            )
            #expect(await submit.waitForExit(within: 120) == 0, "\(submit.output)")
        }
        let tokenRun = try DaemonProcess(arguments: ["token", "--talent", fixture.slug], environment: try environment(placements[0]))
        #expect(await tokenRun.waitForExit(within: 120) == 0, "\(tokenRun.output)")
        let token = try #require(tokenRun.output.split(separator: "\n").map(String.init).first { $0.hasPrefix("ey") })
        for (index, placement) in placements.prefix(2).enumerated() {
            let upload = try await PageClient(base: placement.url("").absoluteString, opsToken: "").portalUpload(
                session: token, prompt: "Portal \(index)", account: fixture.account(.linkedin).id, file: TestEnvironment.testmedia("photo2.jpg")
            )
            #expect(upload.status == 201, "daemon at \(placement.address):\(placement.port): \(upload.text)")
        }
        let client = try TestMailServer.client(mailbox: box.inbox)
        let picture = try Data(contentsOf: TestEnvironment.testmedia("photo.jpg"))
        for index in 0..<3 {
            let mail = TestEmail.build(
                to: "\(fixture.slug)+post@\(Self.domain)",
                subject: "Email \(index) #LI",
                body: "From the road \(index)",
                attachments: [TestEmail.Part(filename: "road-\(index).jpg", contentType: "image/jpeg", data: picture)]
            )
            try client.append(mail, to: box.inbox)
        }
        // The first daemon dies with the work under way.
        try await Task.sleep(for: .milliseconds(Int.random(in: 200...1200)))
        daemons[0].kill()

        func counts() async throws -> (all: Int, complete: Int) {
            try await database.pool.withConnection { connection in
                let row = try connection.query(
                    "SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'complete')::int AS done FROM post_requests WHERE talent_id = $1",
                    [fixture.talentID]
                ).first!
                return (try row.decode("n"), try row.decode("done"))
            }
        }
        let survivors = Array(daemons.dropFirst())
        let ending = try await ProgressWatch(processes: { survivors.map(\.pid) }).wait(
            until: { try await counts() == (7, 7) && (try TestMailServer.count(box.inbox)) == 0 },
            progress: { "\(try TestMailServer.count(box.inbox))/" + (try await ProgressWatch.databaseActivity(database.pool)) }
        )
        #expect(ending == .done, "\(ending)\n\(survivors.map { $0.output.suffix(1500) }.joined(separator: "\n---\n"))")
        #expect(try await counts() == (7, 7), "every request once, complete")

        // One poller: of the daemons alive, exactly one holds the mailbox's lock.
        let pollers: Int = try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()
                """
            ).first!.decode("n")
        }
        #expect(pollers == 1, "one mailbox poller at a time")
        let ingested: Int = try await database.pool.withConnection { connection in
            try connection.query("SELECT count(*)::int AS n FROM intake_messages WHERE outcome = 'ingested'").first!.decode("n")
        }
        #expect(ingested == 3)

        // Every surviving daemon serves every request's media, from the bucket.
        let attachments: [(UUID, Int)] = try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT a.id, a.bytes FROM post_request_attachments a JOIN post_requests r ON r.id = a.post_request_id WHERE r.talent_id = $1",
                [fixture.talentID]
            ).rows.map { (try $0.decode("id"), Int(try $0.decode("bytes", as: Int64.self))) }
        }
        #expect(attachments.count == 7)
        for placement in placements.dropFirst() {
            for (id, bytes) in attachments {
                var request = URLRequest(url: placement.url("/me/media/\(id.uuidString.lowercased())"))
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                let (body, response) = try await URLSession.shared.data(for: request)
                #expect((response as? HTTPURLResponse)?.statusCode == 200 && body.count == bytes, "daemon at \(placement.address):\(placement.port), attachment \(id)")
            }
        }
        await database.pool.close()
    }

    /// Where one daemon runs: what starts it there, the address it listens on (and the test reaches it at),
    /// and the address at which it reaches PostgreSQL, the object store and the IMAP server.
    struct Placement {
        let launcher: [String]
        let address: String
        let services: String
        let port: Int

        func url(_ path: String) -> URL { URL(string: "http://\(address):\(port)\(path)")! }
    }
}
