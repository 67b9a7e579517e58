// One line of the host file cut into words: `#` outside double quotes starts a comment, words are separated by
// blanks, and a value in double quotes may hold blanks (`\"` and `\\` inside stand for `"` and `\`).
//   nas.lan   name="My NAS" parent=switch.lan   # the NAS

enum HostFileLine {
    /// The words of `line`; a word is `address` or `key=value` (quotes removed). Throws the reason for an
    /// unterminated quote.
    static func words(_ line: Substring) throws(LineError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        var escaped = false
        for character in line {
            if quoted {
                if escaped {
                    current.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted = false
                } else {
                    current.append(character)
                }
                continue
            }
            if character == "#" { break }
            if character == " " || character == "\t" || character == "\r" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
                continue
            }
            inWord = true
            if character == "\"" { quoted = true } else { current.append(character) }
        }
        guard !quoted else { throw LineError("a double quote is not closed") }
        if inWord { words.append(current) }
        return words
    }

    struct LineError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
