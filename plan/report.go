package plan

import "time"

// Finding is what a verifier's report finds.
type Finding string

// Findings.
const (
	// FindingCompliance: the commitment is being honoured (for a
	// continuous one: it holds; it also ends an earlier violation).
	FindingCompliance Finding = "compliance"
	// FindingFulfilled: a once commitment was delivered (When is when).
	FindingFulfilled Finding = "fulfilled"
	// FindingViolation: the commitment was violated at When, by Party,
	// with a Severity.
	FindingViolation Finding = "violation"
)

// Findings lists the findings.
var Findings = []Finding{FindingCompliance, FindingFulfilled, FindingViolation}

// Answer is a party's response to a report.
type Answer string

// Answers.
const (
	Accept  Answer = "accept"
	Dispute Answer = "dispute"
)

// Report is a verifier's finding on one commitment.
type Report struct {
	Commitment string  `json:"commitment"`
	Finding    Finding `json:"finding"`
	// When is when the reported fact happened (at or before the report).
	When time.Time `json:"when"`
	// Party is who violated the commitment (a violation of a commitment
	// with several owners names one of them).
	Party    string   `json:"party,omitempty"`
	Severity Severity `json:"severity,omitempty"`
	Place    string   `json:"place,omitempty"`
	// Evidence are links (http or https URLs) to the evidence.
	Evidence []string `json:"evidence,omitempty"`
	Text     string   `json:"text,omitempty"`
	// Replaces is the sequence number of an earlier report on the same
	// commitment that this one replaces (the verifier's review of a
	// disputed finding: a violation upheld or corrected, or withdrawn by a
	// compliance finding). A replaced report no longer counts.
	Replaces int `json:"replaces,omitempty"`
}

// Response is a party's answer to a report.
type Response struct {
	// Report is the sequence number of the report answered.
	Report int    `json:"report"`
	Answer Answer `json:"answer"`
	Text   string `json:"text,omitempty"`
}

// Entry is one report or response as recorded in the session log.
type Entry struct {
	// Seq is the event's sequence number in the log (what Replaces and
	// Response.Report refer to).
	Seq int `json:"seq"`
	// Time is when the event was recorded (the report was filed).
	Time time.Time `json:"time"`
	// By is the verifier (reports) or the party (responses).
	By       string    `json:"by"`
	Report   *Report   `json:"report,omitempty"`
	Response *Response `json:"response,omitempty"`
}
