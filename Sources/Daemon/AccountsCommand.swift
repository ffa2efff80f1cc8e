import ArgumentParser
import Foundation
import Store
import Web

/// `accounts list` / `accounts pause ACCOUNT --reason …` / `accounts resume ACCOUNT`, and the publishes
/// operators settle (`accounts retry VARIANT`, `accounts checked VARIANT [--post-id ID]`): what `/ops/publishing`
/// does, in the terminal. An account is named by its id or its handle.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Pause and resume publishing accounts; retry or settle their publishes.",
        subcommands: [List.self, Pause.self, Resume.self, Retry.self, Checked.self]
    )

    /// Runs `body` with the operations on a started runtime, closing its pool either way.
    static func withOperations<T>(_ body: (PublishOperations) async throws -> T) async throws -> T {
        let runtime = try await Runtime.start(label: "drsocial.accounts")
        do {
            return try await runtime.closingPool { try await body(PublishOperations(pool: runtime.pool, queue: try runtime.queue())) }
        } catch let refusal as PublishOperations.Refusal {
            throw ValidationError(refusal.description)
        }
    }

    /// The account an id or a handle names; a handle two accounts share must be given as an id.
    static func account(_ name: String, in operations: PublishOperations) async throws -> PublishOperations.Account {
        let all = try await operations.accounts()
        let named = UUID(uuidString: name).map { id in all.filter { $0.id == id } } ?? all.filter { $0.handle == name.trimmingCharacters(in: ["@"]) }
        guard let first = named.first else { throw ValidationError("no account '\(name)'") }
        guard named.count == 1 else {
            throw ValidationError("'\(name)' names \(named.count) accounts: \(named.map { "\($0.platform) \($0.id.uuidString.lowercased())" }.joined(separator: ", "))")
        }
        return first
    }

    static func print(_ outcome: PublishOperations.Outcome) {
        Swift.print("\(outcome.id.uuidString.lowercased()): \(outcome.done)")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every account: channel, status, why it is paused, what waits.")
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let accounts = try await AccountsCommand.withOperations { try await $0.accounts() }
            if json {
                Swift.print(String(decoding: try JSONResponse.encoder().encode(accounts), as: UTF8.self))
                return
            }
            for account in accounts {
                let reason = account.pausedReason.map { " (\($0))" } ?? ""
                Swift.print(
                    "\(account.id.uuidString.lowercased())  \(account.talent)  \(account.platform) @\(account.handle)  \(account.channel)  \(account.status)\(reason)  \(account.waiting) waiting"
                )
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause an account: its publishes wait until it is resumed.")
        @Argument(help: "The account's id or handle.") var account: String
        @Option(help: "Why, for the other operators.") var reason = ""

        func run() async throws {
            let outcome = try await AccountsCommand.withOperations { operations in
                try await operations.pause(accountID: try await AccountsCommand.account(account, in: operations).id, reason: reason)
            }
            AccountsCommand.print(outcome)
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused account; its waiting publishes go now.")
        @Argument(help: "The account's id or handle.") var account: String

        func run() async throws {
            let outcome = try await AccountsCommand.withOperations { operations in
                try await operations.resume(accountID: try await AccountsCommand.account(account, in: operations).id)
            }
            AccountsCommand.print(outcome)
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a failed variant again.")
        @Argument(help: "The variant's id (content_queue).") var variant: String

        func run() async throws {
            guard let id = UUID(uuidString: variant) else { throw ValidationError("'\(variant)' is not a variant id") }
            AccountsCommand.print(try await AccountsCommand.withOperations { try await $0.retry(variantID: id) })
        }
    }

    struct Checked: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle a publish whose outcome nobody knew: with --post-id it was posted; without, it goes out again."
        )
        @Argument(help: "The variant's id (content_queue).") var variant: String
        @Option(help: "The post id found on the platform.") var postID: String?
        @Option(help: "The post's URL.") var postURL: String?

        func run() async throws {
            guard let id = UUID(uuidString: variant) else { throw ValidationError("'\(variant)' is not a variant id") }
            AccountsCommand.print(try await AccountsCommand.withOperations { try await $0.settleCheck(variantID: id, foundPostID: postID, url: postURL) })
        }
    }
}
