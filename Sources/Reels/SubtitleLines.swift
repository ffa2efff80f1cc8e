public import Contracts
public import Domain
import Foundation

/// Groups words into short lines: a line ends at `maxChars`, after a sentence, or at a pause of 0.7 s.
/// Each line shows from its first word until its last word ends (at least 0.7 s, never into the next line).
public enum SubtitleLines {
    public static func make(from words: [TimedWord], maxChars: Int, until seconds: Double) -> [SubtitleLine] {
        let usable = words.filter { !$0.word.trimmingCharacters(in: .whitespaces).isEmpty && $0.start < seconds && $0.end >= $0.start }
            .sorted { $0.start < $1.start }
        var lines: [SubtitleLine] = []
        var current: [TimedWord] = []
        func close() {
            guard let first = current.first, let last = current.last else { return }
            let text = current.map { $0.word.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            lines.append(SubtitleLine(text: text, start: first.start, end: min(max(last.end, first.start + 0.7), seconds)))
            current = []
        }
        for word in usable {
            let length = current.map(\.word.count).reduce(0, +) + current.count + word.word.count
            if let last = current.last, length > maxChars || word.start - last.end > 0.7 { close() }
            current.append(word)
            if let character = word.word.last, ".!?".contains(character) { close() }
        }
        close()
        for index in lines.indices.dropLast() where lines[index].end > lines[index + 1].start {
            lines[index].end = lines[index + 1].start
        }
        return lines.filter { $0.end > $0.start }
    }
}
