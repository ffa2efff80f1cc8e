import Domain
import Testing

@Suite struct PlatformTests {
    @Test(arguments: [("IG", Platform.instagram), ("#tt", .tiktok), ("li", .linkedin), ("instagram", .instagram), (" #Ig ", .instagram)])
    func tagsAndNames(raw: String, expected: Platform) {
        #expect(Platform(tagOrName: raw) == expected)
    }

    @Test func unknownTagIsNil() {
        #expect(Platform(tagOrName: "FB") == nil)
        #expect(Platform(tagOrName: "") == nil)
    }
}

@Suite struct FilenameSanitizerTests {
    /// One character of 161 bytes (a letter and 80 combining marks): shortening it must not leave ".jpg".
    @Test func shortensWithinAnOverlongCharacter() {
        let name = FilenameSanitizer.sanitize("a" + String(repeating: "\u{301}", count: 80) + ".jpg")
        #expect(name.unicodeScalars.starts(with: "a\u{301}".unicodeScalars))
        #expect(name.hasSuffix(".jpg"))
        #expect(name.utf8.count <= FilenameSanitizer.maximumBytes)
    }

    @Test func dropsDirectories() {
        #expect(FilenameSanitizer.sanitize("../../etc/passwd") == "passwd")
        #expect(FilenameSanitizer.sanitize("C:\\Users\\x\\clip.mp4") == "clip.mp4")
    }

    @Test func dropsControlCharactersAndLeadingDots() {
        #expect(FilenameSanitizer.sanitize("..\u{0}hidden\u{7}.txt") == "hidden.txt")
        #expect(FilenameSanitizer.sanitize("a\u{202E}gpj.exe") == "agpj.exe")
        #expect(FilenameSanitizer.sanitize("...") == "attachment")
        #expect(FilenameSanitizer.sanitize("") == "attachment")
    }

    @Test func boundsLengthKeepingExtension() {
        let long = String(repeating: "é", count: 300) + ".jpeg"
        let cleaned = FilenameSanitizer.sanitize(long)
        #expect(cleaned.utf8.count <= FilenameSanitizer.maximumBytes)
        #expect(cleaned.hasSuffix(".jpeg"))
    }
}

@Suite struct MediaSnifferTests {
    @Test func recognisesCommonFormats() {
        #expect(MediaSniffer.sniff([0xFF, 0xD8, 0xFF, 0xE0]).mime == "image/jpeg")
        #expect(MediaSniffer.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).kind == .image)
        #expect(MediaSniffer.sniff(Array("\0\0\0\u{18}ftypisom".utf8)).mime == "video/mp4")
        #expect(MediaSniffer.sniff(Array("\0\0\0\u{18}ftypM4A ".utf8)).mime == "audio/mp4")
        #expect(MediaSniffer.sniff(Array("RIFF\0\0\0\0WAVEfmt ".utf8)).mime == "audio/wav")
        #expect(MediaSniffer.sniff(Array("#EXTM3U\n".utf8)).kind == .other)
        #expect(MediaSniffer.sniff([UInt8]()).kind == .other)
    }
}

@Suite struct ContentQueueStateTests {
    @Test func approvalNeedsTheOwnersStep() {
        #expect(ContentQueueState.awaitingOwnerApproval.canMove(to: .approved))
        #expect(!ContentQueueState.draft.canMove(to: .approved))
        #expect(!ContentQueueState.rejected.canMove(to: .approved))
        #expect(!ContentQueueState.awaitingOwnerApproval.canMove(to: .published))
    }
}
