import Foundation

/// A signing time in the two forms SigV4 uses, both UTC: `20130524T000000Z` and `20130524`.
struct AmzDate: Sendable, Equatable {
    /// `yyyyMMdd'T'HHmmss'Z'`: the `x-amz-date` header and `X-Amz-Date` parameter.
    let dateTime: String
    /// `yyyyMMdd`: the first part of the credential scope.
    var date: String { String(dateTime.prefix(8)) }

    /// Whole seconds, UTC; computed by hand (Howard Hinnant's civil-from-days) rather than with a formatter,
    /// so it depends on no locale, time zone or calendar setting.
    init(_ date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        dateTime = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + two(month) + two(day) + "T"
            + two(secondOfDay / 3600) + two(secondOfDay % 3600 / 60) + two(secondOfDay % 60) + "Z"
    }
}
