import Domain
import Foundation
import Intake
import Testing

@Suite struct TargetSelectionTests {
    let accounts = [
        AccountSnapshot(id: UUID(), platform: .instagram, handle: "a", channel: "device"),
        AccountSnapshot(id: UUID(), platform: .tiktok, handle: "b", channel: "device"),
        AccountSnapshot(id: UUID(), platform: .linkedin, handle: "c", channel: "mcp", status: "paused"),
    ]

    @Test func namedPlatformsWin() throws {
        let chosen = try TargetSelection.resolve(platforms: [.tiktok], accounts: accounts, lastUsed: [accounts[0].id], slug: "s")
        #expect(chosen.map(\.platform) == [.tiktok])
    }

    @Test func lastUsedThenAllActive() throws {
        #expect(try TargetSelection.resolve(platforms: nil, accounts: accounts, lastUsed: [accounts[0].id], slug: "s").map(\.id) == [accounts[0].id])
        #expect(try TargetSelection.resolve(platforms: nil, accounts: accounts, lastUsed: nil, slug: "s").count == 2)
    }

    @Test func pausedAccountIsNotATarget() {
        #expect(throws: IntakeError.self) { try TargetSelection.resolve(platforms: [.linkedin], accounts: accounts, lastUsed: nil, slug: "s") }
    }
}
