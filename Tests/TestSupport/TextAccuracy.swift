/// Edit-distance scores for OCR and speech recognition against ground truth.
public enum TextAccuracy {
    /// Levenshtein distance between two sequences.
    public static func distance<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// 1 − (character edit distance ÷ truth length), whitespace runs collapsed; case counts.
    public static func characterAccuracy(found: String, truth: String) -> Double {
        let clean = { (text: String) in Array(text.split { $0.isWhitespace }.joined(separator: " ")) }
        let expected = clean(truth)
        return max(0, 1 - Double(distance(clean(found), expected)) / Double(max(1, expected.count)))
    }

    /// Word error rate: word edit distance ÷ truth words, lower-cased, punctuation dropped.
    public static func wordErrorRate(found: String, truth: String) -> Double {
        let words = { (text: String) in text.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map(String.init) }
        let expected = words(truth)
        return Double(distance(words(found), expected)) / Double(max(1, expected.count))
    }
}
