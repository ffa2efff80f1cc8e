import Domain
import Foundation
import Testing

@testable import Intake

struct MailRoutingTests {
    let domain = "dr-social.app"

    @Test(arguments: [
        ("aurora-lee+post@dr-social.app", MailRouting.Decision.post(slug: "aurora-lee")),
        ("Aurora-Lee+POST@DR-SOCIAL.APP", .post(slug: "aurora-lee")),
        ("aurora-lee+settings@dr-social.app", .reservedSuffix(slug: "aurora-lee", suffix: "settings")),
        ("aurora-lee+inbox@dr-social.app", .reservedSuffix(slug: "aurora-lee", suffix: "inbox")),
        ("aurora-lee+promo@dr-social.app", .unknownSuffix(slug: "aurora-lee", suffix: "promo")),
        ("aurora-lee@dr-social.app", .noSuffix(slug: "aurora-lee")),
        ("../etc+post@dr-social.app", .malformed),
        ("+post@dr-social.app", .malformed),
    ])
    func decisions(address: String, expected: MailRouting.Decision) {
        #expect(MailRouting.decide(address, intakeDomain: domain) == expected)
    }

    @Test func otherDomainsAreIgnored() {
        #expect(MailRouting.decide("aurora-lee+post@evil.dr-social.app", intakeDomain: domain) == nil)
        #expect(MailRouting.decide("aurora-lee+post@example.com", intakeDomain: domain) == nil)
        #expect(MailRouting.decide("no-at-sign", intakeDomain: domain) == nil)
    }

    func email(to: [String] = [], cc: [String] = [], deliveredTo: [String] = [], originalTo: [String] = []) -> ParsedEmail {
        var email = ParsedEmail()
        email.to = to.map { EmailAddress(address: $0) }
        email.cc = cc.map { EmailAddress(address: $0) }
        email.deliveredTo = deliveredTo.map { EmailAddress(address: $0) }
        email.originalTo = originalTo.map { EmailAddress(address: $0) }
        return email
    }

    @Test func toAndCcComeBeforeTheForwardingHeaders() {
        let routes = MailRouting.routes(
            for: email(
                to: ["a+post@dr-social.app"],
                cc: ["b+post@dr-social.app", "A+POST@dr-social.app"],
                deliveredTo: ["c+post@dr-social.app"]
            ),
            intakeDomain: domain
        )
        #expect(routes.map(\.decision) == [.post(slug: "a"), .post(slug: "b")])
        #expect(routes.map(\.header) == ["To", "Cc"])
    }

    @Test func forwardingHeadersAreReadWhenToHasNoIntakeAddress() {
        let routes = MailRouting.routes(
            for: email(to: ["ops@example.com"], deliveredTo: ["ops@example.com"], originalTo: ["c+post@dr-social.app"]),
            intakeDomain: domain
        )
        #expect(routes.map(\.decision) == [.post(slug: "c")])
        #expect(routes.first?.header == "X-Original-To")
    }
}

struct PlatformTagsTests {
    @Test func tagsAreFoundInAnyCaseAndTakenOut() {
        let result = PlatformTags.extract(from: "Sunset at the pier #ig #TT, golden hour #Li.")
        #expect(result.platforms == [.instagram, .tiktok, .linkedin])
        #expect(result.text == "Sunset at the pier golden hour")
    }

    @Test func hashtagsThatAreNotPlatformsStay() {
        let result = PlatformTags.extract(from: "#tbt to #summer\nsecond line #IG")
        #expect(result.platforms == [.instagram])
        #expect(result.text == "#tbt to #summer\nsecond line")
    }
}

struct EmailSubmissionTests {
    func email(subject: String, body: String, attachments: [EmailAttachment] = []) -> ParsedEmail {
        var email = ParsedEmail()
        email.subject = subject
        email.textBody = body
        email.attachments = attachments
        return email
    }

    @Test func theBodyIsThePromptAndTagsFromBothCount() {
        let submission = EmailSubmission(email: email(subject: "Idea #TT", body: "Post the rehearsal clip #IG"), maxAttachmentBytes: 1 << 20)
        #expect(submission.prompt == "Post the rehearsal clip")
        #expect(Set(submission.platforms) == [.instagram, .tiktok])
    }

    @Test func theSubjectWithoutReplyPrefixesIsThePromptWhenTheBodyIsEmpty() {
        let submission = EmailSubmission(email: email(subject: "Re: Fwd: Studio tour", body: "  "), maxAttachmentBytes: 1 << 20)
        #expect(submission.prompt == "Studio tour")
        #expect(submission.platforms.isEmpty)
    }

    @Test func audioIsAVoiceMemoAndEmptyOrLargeFilesAreNoted() throws {
        let memo = try Data(
            contentsOf: URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appending(path: "testmedia/voice-memo.m4a")
        )
        let submission = EmailSubmission(
            email: email(
                subject: "",
                body: "",
                attachments: [
                    EmailAttachment(filename: "memo.m4a", contentType: "audio/mp4", data: memo, isInline: false),
                    EmailAttachment(filename: "empty.jpg", contentType: "image/jpeg", data: Data(), isInline: false),
                    EmailAttachment(filename: "big.bin", contentType: "application/octet-stream", data: Data(count: 40_000), isInline: false),
                ]
            ),
            maxAttachmentBytes: 30_000
        )
        #expect(submission.prompt == nil)
        #expect(submission.files.map(\.filename) == ["memo.m4a"])
        #expect(submission.files.map(\.role) == [.voiceMemo])
        #expect(submission.notes.count == 2)
    }

    @Test func aVideoSentWithNoWordsIsThePostsMediaNotAVoiceMemo() throws {
        let video = try Data(
            contentsOf: URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appending(path: "testmedia/short.mp4")
        )
        let submission = EmailSubmission(
            email: email(subject: "", body: "", attachments: [EmailAttachment(filename: "clip.mp4", contentType: "video/mp4", data: video, isInline: false)]),
            maxAttachmentBytes: 50 << 20
        )
        #expect(submission.files.map(\.role) == [.media])
    }

    @Test func audioIsAVoiceMemoFromEverySource() {
        #expect(PostRequestIntake.role(.media, mime: "audio/mp4") == .voiceMemo)
        #expect(PostRequestIntake.role(.media, mime: "audio/mpeg") == .voiceMemo)
        #expect(PostRequestIntake.role(.media, mime: "video/mp4") == .media)
        #expect(PostRequestIntake.role(.media, mime: "image/jpeg") == .media)
        #expect(PostRequestIntake.role(.voiceMemo, mime: "video/mp4") == .voiceMemo, "an explicit choice stands")
    }

    @Test func anEmptyEmailIsAcceptedWithANote() {
        let submission = EmailSubmission(email: email(subject: "", body: ""), maxAttachmentBytes: 1 << 20)
        #expect(submission.prompt == nil)
        #expect(submission.files.isEmpty)
        #expect(submission.notes.first?.contains("content pillars") == true)
    }
}
