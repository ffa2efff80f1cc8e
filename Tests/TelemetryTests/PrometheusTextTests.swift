import TestSupport
import Testing

@testable import Telemetry

/// The exposition format, read back by an independent parser.
struct PrometheusTextTests {
    @Test func labelValuesSurviveQuotesBackslashesAndLineBreaks() throws {
        var text = PrometheusText()
        let awkward = #"a "quoted" \path\ and"# + "\na new line"
        text.family("drsocial_test", .gauge, help: "A help text with a \\ and a\nline break.")
        text.sample("drsocial_test", ["stage": awkward, "kind": "plain"], value: 3)
        text.sample("drsocial_test", ["stage": "other", "kind": "plain"], value: 0.25)
        let samples = try PrometheusSamples(parsing: text.text)
        #expect(samples["drsocial_test", ["stage": awkward, "kind": "plain"]] == 3)
        #expect(samples["drsocial_test", ["stage": "other", "kind": "plain"]] == 0.25)
        #expect(samples.types["drsocial_test"] == "gauge")
        #expect(text.text.split(separator: "\n").count == 4, "help and samples stay one line each:\n\(text.text)")
    }

    @Test func numbersAreWrittenAsPrometheusReadsThem() {
        #expect(PrometheusText.format(42) == "42")
        #expect(PrometheusText.format(0) == "0")
        #expect(PrometheusText.format(1.5) == "1.5")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(Double(PrometheusText.format(1_732_000_000.125)) == 1_732_000_000.125)
    }

    @Test func metricNamesFromLibrariesBecomePrometheusNames() {
        #expect(MetricsExporter.sanitized("http.server.request.duration") == "http_server_request_duration")
        #expect(MetricsExporter.sanitized("hb.requests") == "hb_requests")
        #expect(MetricsExporter.sanitized("ok_name:1") == "ok_name_1")
    }
}
