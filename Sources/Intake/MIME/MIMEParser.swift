import CGMime
public import Foundation

/// Parses a raw RFC 5322 e-mail with GMime 3 into a `ParsedEmail`.
///
/// ```swift
/// let email = try MIMEParser.parse(rawBytes)
/// print(email.subject, email.from?.normalized ?? "-", email.attachments.map(\.filename))
/// ```
///
/// Hostile input is bounded by `MIMELimits`: too many parts or too deep a nesting throws `MIMEError`
/// (checked on the raw bytes before GMime builds its tree, and again while walking it); an oversized,
/// empty or undecodable attachment is listed in `omitted` instead of failing the whole message.
/// Parsing is CPU-bound and synchronous: call it off the cooperative pool for large messages.
public enum MIMEParser {
    /// Parses `raw` (the bytes of one message, CRLF or LF line endings).
    /// - Throws: `MIMEError.tooManyParts`, `.tooDeep`, or `.unparseable` for empty input.
    public static func parse(_ raw: Data, limits: MIMELimits = .init()) throws(MIMEError) -> ParsedEmail {
        guard !raw.isEmpty else { throw .unparseable }
        try MIMEPrescan.check(raw, limits: limits)
        let options = GMimeRuntime.shared.options
        let stream = raw.withUnsafeBytes { bytes in
            GObjectOwner(g_mime_stream_mem_new_with_buffer(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count))
        }
        guard let stream, let parser = GObjectOwner(g_mime_parser_new_with_stream(stream.pointer)),
            let message = GObjectOwner(g_mime_parser_construct_message(parser.pointer, options))
        else { throw .unparseable }

        var email = headers(of: message.pointer, options: options)
        var walker = MIMETreeWalker(limits: limits)
        if let root = g_mime_message_get_mime_part(message.pointer) {
            try walker.walk(root)
        }
        email.textBody = walker.textBody
        email.attachments = walker.attachments
        email.omitted = walker.omitted
        email.partCount = walker.partCount
        return email
    }

    // MARK: Headers

    /// Every header field of `ParsedEmail` (the body fields stay empty).
    private static func headers(of message: UnsafeMutablePointer<GMimeMessage>, options: OpaquePointer) -> ParsedEmail {
        var email = ParsedEmail()
        email.messageID = TextDecoding.string(cString: g_mime_message_get_message_id(message))
        email.subject = TextDecoding.string(cString: g_mime_message_get_subject(message)) ?? ""
        email.from = addresses(g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_FROM)).first
        email.to = addresses(g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_TO))
        email.cc = addresses(g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_CC))
        if let date = g_mime_message_get_date(message) {
            email.date = Date(timeIntervalSince1970: TimeInterval(g_date_time_to_unix(date)))
        }
        // Envelope headers GMime does not model; a message often carries several Delivered-To.
        let list = g_mime_object_get_header_list(drsocial_gmime_message_as_object(message))
        for index in 0..<max(0, g_mime_header_list_get_count(list)) {
            guard let header = g_mime_header_list_get_header_at(list, index),
                let name = g_mime_header_get_name(header).map({ String(cString: $0).lowercased() }),
                ["delivered-to", "x-original-to", "x-forwarded-to"].contains(name),
                let parsed = GObjectOwner(internet_address_list_parse(options, g_mime_header_get_raw_value(header)))
            else { continue }
            let found = addresses(parsed.pointer)
            switch name {
            case "delivered-to": email.deliveredTo += found
            case "x-original-to": email.originalTo += found
            default: email.forwardedTo += found
            }
        }
        return email
    }

    /// The mailboxes of an address list, with groups flattened one level (groups cannot nest).
    private static func addresses(_ list: UnsafeMutablePointer<InternetAddressList>?, expandGroups: Bool = true) -> [EmailAddress] {
        guard let list else { return [] }
        var result: [EmailAddress] = []
        for index in 0..<max(0, internet_address_list_length(list)) {
            guard let address = internet_address_list_get_address(list, index) else { continue }
            if drsocial_internet_address_is_mailbox(address) != 0 {
                let mailbox = drsocial_internet_address_as_mailbox(address)
                guard let addr = TextDecoding.string(cString: internet_address_mailbox_get_addr(mailbox)), !addr.isEmpty else { continue }
                let name = TextDecoding.string(cString: internet_address_get_name(address)).flatMap { $0.isEmpty ? nil : $0 }
                result.append(EmailAddress(name: name, address: addr))
            } else if expandGroups, drsocial_internet_address_is_group(address) != 0 {
                let members = internet_address_group_get_members(drsocial_internet_address_as_group(address))
                result += addresses(members, expandGroups: false)
            }
        }
        return result
    }
}
