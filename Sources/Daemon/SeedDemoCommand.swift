import ArgumentParser
import Domain
import Foundation
import Store

/// `seed-demo`: the demo tenant with talent `aurora-lee` (Instagram, TikTok and LinkedIn accounts, a never-say
/// list, hashtag preferences). Does nothing when the talent exists.
struct SeedDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed-demo", abstract: "Create the demo tenant and talent.")

    static let talent = TenantSeeder.TalentSpec(
        slug: "aurora-lee",
        displayName: "Aurora Lee",
        ownerUserID: UUID(uuidString: "6f1c2a54-6b7e-4a53-9d4e-0a1b2c3d4e5f")!,
        contentPillars: ["morning routines", "sustainable fashion", "behind the scenes of the studio"],
        hashtagPreferences: ["#AuroraLee", "#SlowFashion", "#StudioLife", "#MorningRun", "#Sustainable", "#OOTD"],
        doNotSay: ["fast fashion", "cheap", "guaranteed results"],
        accounts: [(.instagram, "aurora.lee", "device"), (.tiktok, "auroralee", "device"), (.linkedin, "aurora-lee", "mcp")]
    )

    func run() async throws {
        let runtime = try await Runtime.start(label: "drsocial.seed")
        let created = try await runtime.closingPool {
            try await Migrator(pool: runtime.pool, logger: runtime.logger).migrate()
            return try await runtime.pool.withTransaction { connection -> Bool in
                if try TalentRepository().talent(slug: Self.talent.slug, on: connection) != nil { return false }
                let seeder = TenantSeeder()
                let tenant = try seeder.tenant(named: "Demo Agency", on: connection) ?? seeder.createTenant(name: "Demo Agency", slug: "demo-agency", on: connection)
                _ = try seeder.createTalent(Self.talent, tenantID: tenant, on: connection)
                return true
            }
        }
        print(created ? "seeded the demo tenant with talent aurora-lee" : "the demo talent aurora-lee already exists")
    }
}
