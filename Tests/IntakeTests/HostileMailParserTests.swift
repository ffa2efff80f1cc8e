import Foundation
import TestSupport
import Testing

@testable import Intake

/// The hostile mail of `HostileMailDaemonTests`, straight into the MIME parser (NUL bytes included, which Dovecot
/// turns into 0x80 before the daemon sees them): every message parses, or fails with words an operator can read.
/// The inputs that once broke intake are kept below as regression cases.
struct HostileMailParserTests {
    static let domain = "dr-social.app"

    static func messages(count: Int = 150, seed: UInt64 = HostileMail.seed) throws -> [HostileMail.Message] {
        HostileMail.generate(count: count, seed: seed, fixtures: try HostileMail.fixtures(slug: "aurora-lee", domain: domain), domain: domain)
    }

    /// The 150 messages, made once for the suite (a debug build takes a while over 50 MB).
    static let generated: [HostileMail.Message] = (try? messages()) ?? []

    @Test func theGeneratorReplaysItsSeedAndCoversEveryMutation() throws {
        let first = Self.generated
        try #require(first.count == 150, "the mail fixtures could not be read")
        let again = try Self.messages(count: 27)
        #expect(Array(first.prefix(27)).map(\.bytes) == again.map(\.bytes), "the same seed gives the same bytes")
        #expect(try Self.messages(count: 27, seed: HostileMail.seed + 1).map(\.bytes) != again.map(\.bytes))
        let fixtures = try HostileMail.fixtures(slug: "aurora-lee", domain: Self.domain).map(\.bytes)
        for mutation in HostileMail.Mutation.allCases {
            let mine = first.filter { $0.mutation == mutation }
            #expect(mine.count >= 16, "\(mutation)")
            #expect(mine.allSatisfy { !fixtures.contains($0.bytes) }, "every \(mutation) changed its fixture")
        }
        #expect(first.contains { $0.mutation == .hugeHeaderLine && $0.bytes.count > 900 * 1024 })
        #expect(first.contains { $0.bytes.contains(0) }, "NUL bytes")
    }

    @Test func everyHostileMessageParsesOrFailsWithAReason() throws {
        try #require(Self.generated.count == 150, "the mail fixtures could not be read")
        var failures: [String: Int] = [:]
        for message in Self.generated {
            do {
                _ = try MIMEParser.parse(message.bytes)
            } catch {
                failures[error.description, default: 0] += 1
                #expect(HostileMail.unreadableReason(error.description) == nil, "\(message): '\(error.description)'")
            }
        }
        let deep = Self.generated.filter { $0.mutation == .deepNesting }
        for message in deep {
            #expect(throws: MIMEError.self, "\(message)") { try MIMEParser.parse(message.bytes) }
        }
        print("hostile mail through MIMEParser: \(failures.values.reduce(0, +)) refused \(failures)")
    }

    @Test func aRefusalOfThousandsOfAddressesStaysShortAndReadable() {
        let routes = (0..<6_000).map { (address: "fan-\($0)+post@dr-social.app", decision: "refused: no talent has the slug 'fan-\($0)'") }
        let reason = MailIntake.refusal(routes)
        #expect(HostileMail.unreadableReason(reason) == nil, "\(reason)")
        #expect(reason.hasPrefix("fan-0+post@dr-social.app: refused: no talent has the slug 'fan-0'; fan-1"))
        #expect(reason.hasSuffix("; and 5997 more (see the routing)"))
        let long = MailIntake.refusal([(address: String(repeating: "a", count: 900_000) + "@dr-social.app", decision: "refused: the address is not <slug>+post@ the intake domain")])
        #expect(long.count < 200, "a 900 KB address is cut in the reason")
    }
}
