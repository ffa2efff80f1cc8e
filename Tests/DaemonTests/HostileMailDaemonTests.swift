import Foundation
import Intake
import Store
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Hostile mail at volume: 150 mutations of the mail fixtures (`HostileMail`, a fixed seed) wait in a real
/// Dovecot mailbox; the real daemon polls them. It must stay up, and every message must end ingested (its
/// requests made once), a duplicate, or refused with a reason an operator can read, each filed in its folder
/// and listed on the operator's mail page.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase && TestMailServer.isConfigured && TestEnvironment.executable != nil)))
struct HostileMailDaemonTests {
    static let domain = "hostile-mail.test"
    static let token = "hostile-mail-operator-token"
    static let count = 150

    /// One row of `intake_messages`.
    struct Record {
        let id: UUID
        let uid: UInt32
        let outcome: String
        let reason: String
        let folder: String
        let filed: Bool
        let requests: [UUID]
        let routes: Int
    }

    @Test
    func hostileMailAtVolumeIsEachTakenInOrRefusedWithAReason() async throws {
        let database = try await IsolatedDatabase.make("hostile_mail")
        let pool = database.pool
        let fixture = try await TenantFixture.make(on: pool)
        let box = try TestMailServer.freshMailbox()
        let client = try TestMailServer.client(mailbox: box.inbox)
        let messages = HostileMail.generate(
            count: Self.count,
            seed: HostileMail.seed,
            fixtures: try HostileMail.fixtures(slug: fixture.slug, domain: Self.domain),
            domain: Self.domain
        )
        for mutation in HostileMail.Mutation.allCases {
            #expect(messages.filter { $0.mutation == mutation }.count >= 3, "\(mutation) is covered several times")
        }
        var byUID: [UInt32: HostileMail.Message] = [:]
        for message in messages {
            let uid = try #require(try client.append(message.bytes, to: box.inbox), "Dovecot gave no UID for \(message)")
            byUID[uid] = message
        }
        let uidValidity = try client.examine(box.inbox).uidValidity

        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: [
                "DATABASE_URL": database.url, "STORAGE_DIR": try TestEnvironment.temporaryDirectory("hostile-mail-storage").path,
                "OPS_TOKEN": Self.token, "HTTP_PORT": "0", "WORKERS": "1", "STAGE_BUDGET": "1", "LOG_LEVEL": "notice",
                "PIPELINES_DIR": try TestEnvironment.pipelinesForIntake().path,  // intake is what is tested, not media analysis
                "IMAP_URL": TestMailServer.url(mailbox: box.inbox), "IMAP_USER": TestMailServer.user,
                "IMAP_PASSWORD": TestMailServer.password, "INTAKE_DOMAIN": Self.domain, "IMAP_POLL_SECONDS": "1",
                "IMAP_INGESTED_FOLDER": box.ingested, "IMAP_REFUSED_FOLDER": box.refused,
            ]
        )
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 60), "\(daemon.output.suffix(2000))")
        let port = try #require(daemon.listeningPort)
        let started = Date()

        func filed() async throws -> Int {
            try await pool.withConnection {
                try $0.query("SELECT count(*)::int AS n FROM intake_messages WHERE mailbox = $1 AND filed_at IS NOT NULL", [box.inbox])
                    .first!.decode("n")
            }
        }
        let ending = try await daemon.watch.wait(
            until: { try await filed() == byUID.count && TestMailServer.count(box.inbox) == 0 || !daemon.isRunning },
            progress: { "\(try TestMailServer.count(box.inbox))/" + (try await ProgressWatch.databaseActivity(pool)) }
        )
        let seconds = Date().timeIntervalSince(started)
        #expect(daemon.isRunning, "the daemon died:\n\(daemon.output.suffix(4000))")
        #expect(ending == .done, "\(ending)\n\(daemon.output.suffix(4000))")

        let records: [Record] = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT id, uid, outcome, coalesce(reason, '') AS reason, folder, filed_at IS NOT NULL AS filed, post_request_ids,
                    jsonb_array_length(routing_json) AS routes
                FROM intake_messages WHERE mailbox = $1 AND uid_validity = $2 ORDER BY uid
                """,
                [box.inbox, Int64(uidValidity)]
            ).rows.map {
                Record(
                    id: try $0.decode("id"),
                    uid: UInt32(try $0.decode("uid", as: Int64.self)),
                    outcome: try $0.decode("outcome"),
                    reason: try $0.decode("reason"),
                    folder: try $0.decode("folder"),
                    filed: try $0.decode("filed"),
                    requests: try $0.decode("post_request_ids"),
                    routes: try $0.decode("routes", as: Int.self)
                )
            }
        }
        // Every appended message is accounted for, once.
        #expect(records.count == byUID.count)
        #expect(Set(records.map(\.uid)) == Set(byUID.keys), "missing: \(Set(byUID.keys).subtracting(records.map(\.uid)).sorted())")

        // Requests: exactly the ones each record names, one per (message, talent), none made twice.
        let requests: [(id: UUID, key: String)] = try await pool.withConnection { connection in
            try connection.query(
                "SELECT id, intake_key FROM post_requests WHERE intake_key LIKE $1",
                ["imap:\(box.inbox):\(uidValidity):%"]
            ).rows.map { (try $0.decode("id"), try $0.decode("intake_key")) }
        }
        let requestsByUID = Dictionary(grouping: requests) { UInt32($0.key.split(separator: ":")[3]) ?? 0 }
        for record in records {
            let message = byUID[record.uid].map(String.init(describing:)) ?? "uid \(record.uid)"
            #expect(record.filed, "\(message) was recorded but not filed")
            #expect(Set(requestsByUID[record.uid]?.map(\.id) ?? []) == Set(record.requests), "\(message): requests \(requestsByUID[record.uid] ?? [])")
            #expect(Set(record.requests).count == record.requests.count, "\(message) named a request twice")
            #expect(record.routes <= 51, "\(message): \(record.routes) addresses acted on (at most 50, and one note)")
            switch record.outcome {
            case "ingested":
                #expect(!record.requests.isEmpty, "\(message) was ingested without a request")
                #expect(record.folder == box.ingested)
            case "duplicate":
                #expect(record.requests.isEmpty && record.folder == box.ingested, "\(message)")
            default:
                #expect(record.outcome == "refused", "\(message): \(record.outcome)")
                #expect(record.requests.isEmpty && record.folder == box.refused, "\(message)")
                if let problem = HostileMail.unreadableReason(record.reason) {
                    Issue.record("\(message) was refused with a reason an operator cannot read (\(problem)): '\(record.reason.prefix(300))'")
                }
            }
        }
        #expect(requests.count == records.reduce(0) { $0 + $1.requests.count }, "a request no record names")

        // What the mutations must come to: nesting past the limit is refused for it; most of the rest still carries a
        // request (the mutations leave many messages readable) and a good share is refused.
        for record in records where byUID[record.uid]?.mutation == .deepNesting {
            #expect(record.outcome == "refused" && record.reason.contains("levels deep"), "\(byUID[record.uid]!): \(record.reason)")
        }
        let outcomes = Dictionary(grouping: records, by: \.outcome).mapValues(\.count)
        #expect(outcomes["ingested", default: 0] >= Self.count / 5, "\(outcomes)")
        #expect(outcomes["refused", default: 0] >= Self.count / 10, "\(outcomes)")

        // Filed where the records say.
        #expect(try TestMailServer.count(box.inbox) == 0)
        #expect(try TestMailServer.count(box.ingested) == outcomes["ingested", default: 0] + outcomes["duplicate", default: 0])
        #expect(try TestMailServer.count(box.refused) == outcomes["refused", default: 0])

        // The operator's page of refused mail lists every refusal, with its reason.
        var pageRequest = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/ops/mail?outcome=refused")!)
        pageRequest.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: pageRequest)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let page = String(decoding: body, as: UTF8.self)
        let refused = records.filter { $0.outcome == "refused" }
        #expect(page.components(separatedBy: "<tr class=\"outcome-refused\">").count - 1 == refused.count)
        for record in refused {
            #expect(page.contains(HostileMail.htmlEscaped(record.reason)), "the page does not show the reason of \(byUID[record.uid]!)")
        }

        // Still serving.
        let (_, health) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((health as? HTTPURLResponse)?.statusCode == 200)
        #expect(await daemon.terminate(within: 60) == 0, "\(daemon.output.suffix(2000))")

        var table: [String] = []
        for mutation in HostileMail.Mutation.allCases {
            let mine = records.filter { byUID[$0.uid]?.mutation == mutation }
            let counts = Dictionary(grouping: mine, by: \.outcome).mapValues(\.count).sorted { $0.key < $1.key }
            table.append("\(mutation.rawValue) \(counts.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
        print(
            "hostile mail: \(records.count) messages in \(String(format: "%.1f", seconds)) s (\(outcomes.sorted { $0.key < $1.key })); "
                + table.joined(separator: "; ")
        )
        await pool.close()
    }
}
