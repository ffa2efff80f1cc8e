import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `token --talent SLUG`: mints a development session token for a talent's portal and prints a sign-in link.
/// `token --operator --tenant SLUG --role ROLE`: mints one for a tenant's operator, finding or creating the
/// `tenant_users` row it stands for, for `/ops` and `/api` under row-level security for that tenant.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a development sign-in token for the talent portal (/me) or for a tenant's operator (/ops, /api).",
        discussion: """
            Needs DATABASE_URL and JWT_SECRET. A talent without an owner user gets one. An operator token stands for a
            tenant user (tenant_users) with the role asked for: the user with --email (given that role), else the
            tenant's oldest user with that role, else a new one.
            """
    )

    @Option(help: "The talent's slug (a talent token; with --operator, names the talent's tenant).") var talent: String?
    @Option(help: "Hours the token lasts.") var hours = 12.0
    @Flag(help: "Mint an operator token for a tenant instead (with --tenant, or the tenant of --talent).") var `operator` = false
    @Option(help: "The tenant's slug or id (operator tokens).") var tenant: String?
    @Option(help: "The operator's role: owner, admin, operator or viewer.") var role: String = OperatorRole.operator.rawValue
    @Option(help: "The operator's email: finds (or creates) that user.") var email: String?

    func validate() throws {
        if self.operator {
            guard tenant != nil || talent != nil else { throw ValidationError("name the tenant: --tenant SLUG") }
            guard OperatorRole(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(OperatorRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else {
            guard talent != nil else { throw ValidationError("name the talent (--talent SLUG), or mint an operator token (--operator --tenant SLUG)") }
            guard tenant == nil, email == nil else { throw ValidationError("--tenant and --email are for operator tokens (--operator)") }
        }
    }

    func run() async throws {
        let runtime = try await Runtime.start(label: "drsocial.token")
        let environment = runtime.environment
        let (secret, subject) = try await runtime.closingPool {
            (try environment.required("JWT_SECRET"), try await self.operator ? operatorSubject(runtime.pool) : talentSubject(runtime.pool))
        }
        let tokens = try await SessionTokens.make(secret: secret)
        let token = try await tokens.mint(userID: subject.user, tenantID: subject.tenant, role: subject.role, lifetime: hours * 3600)
        print(token)
        let base = "http://\(environment.httpHost):\(try environment.httpPort)"
        if self.operator {
            print("operator \(subject.user.uuidString.lowercased()) (\(subject.role)): sign in at \(base)/ops/login with this token", to: &StandardError.stream)
        } else {
            print("sign in: \(base)/me/sign-in?token=\(token)", to: &StandardError.stream)
        }
    }

    /// The talent's owner user (made if missing) and tenant.
    private func talentSubject(_ pool: PostgresPool) async throws -> (tenant: UUID, user: UUID, role: String) {
        let slug = (talent ?? "").lowercased()
        let owner: (tenant: UUID, user: UUID)? = try await pool.withTransaction { connection in
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
        guard let owner else { throw ValidationError("no talent has the slug '\(slug)'") }
        return (owner.tenant, owner.user, "authenticated")
    }

    /// The tenant user the operator token stands for, found or created.
    private func operatorSubject(_ pool: PostgresPool) async throws -> (tenant: UUID, user: UUID, role: String) {
        let role = OperatorRole(rawValue: self.role) ?? .operator
        let tenantName = tenant
        let talentSlug = talent?.lowercased()
        let email = self.email
        let member: OperatorRepository.Member? = try await pool.withTransaction { connection in
            let tenantID: UUID?
            if let tenantName {
                tenantID = try OperatorRepository().tenant(slugOrID: tenantName, on: connection)
            } else {
                tenantID = try connection.query("SELECT tenant_id FROM talents WHERE slug = $1", [talentSlug]).first?.decode("tenant_id")
            }
            guard let tenantID else { return nil }
            return try OperatorRepository().findOrCreate(tenantID: tenantID, role: role, email: email, on: connection)
        }
        guard let member else { throw ValidationError("no tenant '\(tenant ?? talent ?? "")'") }
        return (member.tenantID, member.userID, member.role.rawValue)
    }
}

/// Standard error as a `TextOutputStream`.
enum StandardError {
    struct Stream: TextOutputStream {
        mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
    }
    nonisolated(unsafe) static var stream = Stream()
}
