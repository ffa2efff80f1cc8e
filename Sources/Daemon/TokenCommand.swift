import ArgumentParser
import Foundation
import Store
import Web

/// `token --talent SLUG`: mints a development session token for a talent's portal and prints a sign-in link.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a development sign-in token for the talent portal (/me).",
        discussion: "Needs DATABASE_URL and JWT_SECRET. A talent without an owner user gets one."
    )

    @Option(help: "The talent's slug.") var talent: String
    @Option(help: "Hours the token lasts.") var hours = 12.0
    @Flag(help: "Mint an operator token for the talent's tenant instead.") var `operator` = false

    func run() async throws {
        let runtime = try await Runtime.start(label: "drsocial.token")
        let environment = runtime.environment
        let secret = try environment.required("JWT_SECRET")
        let slug = talent.lowercased()
        let owner: (tenant: UUID, user: UUID)? = try await runtime.pool.withTransaction { connection in
            // A talent without an owner gets one: a new tenant user with the role `talent`.
            try connection.query(
                """
                WITH owner AS (
                    INSERT INTO tenant_users (tenant_id, supabase_user_id, role)
                    SELECT tenant_id, gen_random_uuid(), 'talent' FROM talents WHERE slug = $1 AND owner_user_id IS NULL
                    RETURNING tenant_id, supabase_user_id
                )
                UPDATE talents SET owner_user_id = owner.supabase_user_id FROM owner
                WHERE talents.slug = $1 AND talents.tenant_id = owner.tenant_id
                """,
                [slug]
            )
            return try connection.query("SELECT tenant_id, owner_user_id FROM talents WHERE slug = $1", [slug]).first.map {
                (try $0.decode("tenant_id"), try $0.decode("owner_user_id"))
            }
        }
        await runtime.pool.close()
        guard let owner else { throw ValidationError("no talent has the slug '\(slug)'") }
        let tokens = try await SessionTokens.make(secret: secret)
        let token = try await tokens.mint(
            userID: self.operator ? UUID() : owner.user,
            tenantID: owner.tenant,
            role: self.operator ? "operator" : "authenticated",
            lifetime: hours * 3600
        )
        print(token)
        let port = try environment.httpPort
        print("sign in: http://\(environment.httpHost):\(port)/me/sign-in?token=\(token)", to: &StandardError.stream)
    }
}

/// Standard error as a `TextOutputStream`.
enum StandardError {
    struct Stream: TextOutputStream {
        mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
    }
    nonisolated(unsafe) static var stream = Stream()
}
