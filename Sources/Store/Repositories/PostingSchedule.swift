import Foundation

/// An account's posting cadence, from `accounts.posting_schedule_json`: at most `max_per_day` posts in any 24
/// hours, at least `min_gap_minutes` between two. Absent or unreadable fields impose nothing.
public struct PostingSchedule: Sendable, Equatable, Codable {
    public var maxPerDay: Int?
    public var minGapMinutes: Int?

    enum CodingKeys: String, CodingKey {
        case maxPerDay = "max_per_day"
        case minGapMinutes = "min_gap_minutes"
    }

    public init(maxPerDay: Int? = nil, minGapMinutes: Int? = nil) {
        self.maxPerDay = maxPerDay
        self.minGapMinutes = minGapMinutes
    }

    /// Reads the column's JSON; positive whole numbers count, anything else is ignored.
    public init(json: String) {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        func positive(_ key: String) -> Int? {
            guard let number = object[key] as? NSNumber, number.doubleValue >= 1 else { return nil }
            return number.intValue
        }
        self.init(maxPerDay: positive(CodingKeys.maxPerDay.rawValue), minGapMinutes: positive(CodingKeys.minGapMinutes.rawValue))
    }
}
