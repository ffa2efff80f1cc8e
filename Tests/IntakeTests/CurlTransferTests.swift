import Testing

@testable import Intake

/// What libcurl's write and header callbacks hand over, without a server: `CurlTransfer.deliver` as they call it.
@Suite struct CurlTransferTests {
    /// Calls `deliver` as libcurl would, with `text` as the bytes and `transfer` behind the userdata.
    func deliver(_ text: String, to transfer: CurlTransfer, _ take: (CurlTransfer, UnsafeRawBufferPointer) -> Bool) -> Int {
        var bytes = Array(text.utf8CString.dropLast())
        let userdata = Unmanaged.passUnretained(transfer).toOpaque()
        return bytes.withUnsafeMutableBufferPointer { CurlTransfer.deliver($0.baseAddress, size: 1, count: $0.count, to: userdata, take) }
    }

    @Test func bytesGoToTheTransferUntilItsLimit() {
        let transfer = CurlTransfer(maxBodyBytes: 5)
        #expect(deliver("abc", to: transfer) { $0.receive($1) } == 3)
        #expect(transfer.bodyText == "abc")
        #expect(deliver("def", to: transfer) { $0.receive($1) } == 0, "0 makes libcurl abort the transfer")
        #expect(transfer.exceededLimit)
        #expect(transfer.bodyText == "abc")
    }

    @Test func serverLinesAreKeptAndTheirLengthAccepted() {
        let transfer = CurlTransfer(maxBodyBytes: 0)
        let taken = deliver("A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", to: transfer) { transfer, line in
            transfer.receiveServerLine(line)
            return true
        }
        #expect(taken == 53)
        #expect(transfer.statusLine == "NO [AUTHENTICATIONFAILED] Authentication failed.")
    }

    @Test func withoutATransferTheBytesAreAcceptedUntouched() {
        var bytes: [CChar] = [65, 66]
        let taken = bytes.withUnsafeMutableBufferPointer { buffer in
            CurlTransfer.deliver(buffer.baseAddress, size: 1, count: 2, to: nil) { _, _ in
                Issue.record("no transfer to hand the bytes to")
                return false
            }
        }
        #expect(taken == 2)
    }
}
