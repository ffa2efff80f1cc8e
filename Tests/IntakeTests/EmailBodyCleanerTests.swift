import Intake
import Testing

@Suite struct EmailBodyCleanerTests {
    @Test func gmailAttributionAndQuote() {
        let body = """
            Post this one at 6pm please #IG

            On Mon, 16 Jun 2025 at 10:00, Dr Social <hi@dr-social.app> wrote:
            > Which photo should we use?
            > Thanks
            """
        #expect(EmailBodyCleaner.clean(body) == "Post this one at 6pm please #IG")
    }

    @Test func wrappedAttribution() {
        let body = "Yes!\r\n\r\nOn Mon, Jun 16, 2025 at 10:00 AM Dr Social <\r\nhi@dr-social.app> wrote:\r\n\r\n> Ok?\r\n"
        #expect(EmailBodyCleaner.clean(body) == "Yes!")
    }

    @Test func inlineQuotesAreDroppedButReplyKept() {
        let body = """
            > Can you send the video?
            Here it is.
            > And the caption?
            Caption: rehearsal day
            """
        #expect(EmailBodyCleaner.clean(body) == "Here it is.\nCaption: rehearsal day")
    }

    @Test func outlookOriginalMessage() {
        let body = """
            Approved.

            -----Original Message-----
            From: Dr Social <hi@dr-social.app>
            Sent: Monday, June 16, 2025 10:00 AM
            """
        #expect(EmailBodyCleaner.clean(body) == "Approved.")
    }

    @Test func outlookHeaderBlock() {
        let body = """
            Looks great

            ________________________________
            From: Dr Social <hi@dr-social.app>
            Sent: Monday, June 16, 2025 10:00
            To: Aurora Lee
            Subject: Draft
            """
        #expect(EmailBodyCleaner.clean(body) == "Looks great")
    }

    @Test func signatures() {
        #expect(EmailBodyCleaner.clean("Golden hour at the pier.\n-- \nAurora Lee\nManager") == "Golden hour at the pier.")
        #expect(EmailBodyCleaner.clean("Golden hour.\n--\nAurora") == "Golden hour.")
        #expect(EmailBodyCleaner.clean("Golden hour.\n\nSent from my iPhone") == "Golden hour.")
        #expect(EmailBodyCleaner.clean("Golden hour.\n\nGet Outlook for Android") == "Golden hour.")
    }

    @Test func ordinaryTextIsKept() {
        let body = "  On second thought, post it at 7.\nFrom: the pier\n-- not a signature\nThe show must go on -- always.  \n"
        #expect(
            EmailBodyCleaner.clean(body) == "On second thought, post it at 7.\nFrom: the pier\n-- not a signature\nThe show must go on -- always."
        )
        #expect(EmailBodyCleaner.clean("") == "")
        #expect(EmailBodyCleaner.clean("\n\n  \n") == "")
    }
}
