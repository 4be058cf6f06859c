package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

// gracePeriod is how long the moves in flight at the end of the window
// may take before they are cancelled.
const gracePeriod = 10 * time.Second

// Defaults of Config.
const (
	DefaultSessions      = 100
	DefaultDuration      = 20 * time.Second
	DefaultSetupWorkers  = 8
	DefaultTimeout       = 60 * time.Second
	DefaultProgressEvery = 5 * time.Second
)

// Config is what to run.
type Config struct {
	// Sessions is the number of negotiations driven at once.
	Sessions int
	// Duration is how long the moves go on.
	Duration time.Duration
	// Subscribers is the number of realtime event streams held open,
	// spread over the sessions and their seats; below 0, one per seat
	// (the owner's and every party's) of every session.
	Subscribers int
	// Protocol is session.SingleText (default) or session.SAO.
	Protocol string
	// Scenario is a built-in scenario (default miami-2025 for single-text,
	// tiny-2p for sao).
	Scenario string
	// DB is the in-process server's store: a SQLite file path or a
	// postgres:// URL; "" for a SQLite file in a temporary directory.
	DB string
	// URL targets a running server instead of starting one; User and
	// Password are then a mediator account of it.
	URL      string
	User     string
	Password string
	// SetupWorkers is how many negotiations are set up at once.
	SetupWorkers int
	// Timeout bounds one request.
	Timeout time.Duration
	// Progress receives a progress line every ProgressEvery (nil: none).
	Progress      io.Writer
	ProgressEvery time.Duration
}

func (c *Config) normalize() error {
	if c.Sessions == 0 {
		c.Sessions = DefaultSessions
	}
	if c.Sessions < 0 {
		return fmt.Errorf("sessions %d: want at least 1", c.Sessions)
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Duration < 0 {
		return fmt.Errorf("duration %v: want more than 0", c.Duration)
	}
	if c.Protocol == "" {
		c.Protocol = session.SingleText
	}
	switch c.Protocol {
	case session.SingleText:
		if c.Scenario == "" {
			c.Scenario = "miami-2025"
		}
	case session.SAO:
		if c.Scenario == "" {
			c.Scenario = "tiny-2p"
		}
	default:
		return fmt.Errorf("protocol %q: the load test drives %s or %s", c.Protocol, session.SingleText, session.SAO)
	}
	if c.SetupWorkers <= 0 {
		c.SetupWorkers = DefaultSetupWorkers
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = DefaultProgressEvery
	}
	if c.URL != "" {
		if c.DB != "" {
			return errors.New("give a store (DB) for an in-process server or the URL of a running one, not both")
		}
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("url %q: want http://host:port", c.URL)
		}
		if c.User == "" || c.Password == "" {
			return errors.New("a running server needs the name and password of a mediator account")
		}
	}
	return nil
}

// Report is what a run measured. Rates are per second of the measured
// window (Seconds), latencies in milliseconds.
type Report struct {
	Target   string  `json:"target"`
	Storage  string  `json:"storage"`
	Scenario string  `json:"scenario"`
	Protocol string  `json:"protocol"`
	Sessions int     `json:"sessions"`
	Actors   int     `json:"actors"`
	Seconds  float64 `json:"seconds"`
	Setup    Setup   `json:"setup"`

	Moves         int64              `json:"moves"`
	MovesPerS     float64            `json:"moves_per_s"`
	MovesByKind   map[string]int64   `json:"moves_by_kind"`
	Latency       Latency            `json:"latency"`
	LatencyByKind map[string]Latency `json:"latency_by_kind"`
	Errors        map[string]int64   `json:"errors"`
	ErrorSamples  map[string]string  `json:"error_samples,omitempty"`
	Resyncs       int64              `json:"resyncs"`

	SSE       SSE        `json:"sse"`
	Process   Process    `json:"process"`
	Intervals []Interval `json:"intervals"`
	// ServerLog holds the first lines the in-process server logged
	// (request failures), ServerLogLines how many it logged in the
	// window; requests cancelled when the run stops log more.
	ServerLog      []string `json:"server_log,omitempty"`
	ServerLogLines int      `json:"server_log_lines"`
	Notes          []string `json:"notes,omitempty"`
	Machine        Machine  `json:"machine"`
}

// Setup is how the negotiations and streams were set up.
type Setup struct {
	Seconds          float64 `json:"seconds"`
	Negotiations     int     `json:"negotiations"`
	Invitations      int     `json:"invitations"`
	SubscribeSeconds float64 `json:"subscribe_seconds"`
}

// SSE is what the realtime subscribers saw.
type SSE struct {
	Requested int `json:"requested"`
	// Held is the streams open at the end of the window by the clients'
	// count; ServerCount by the server's /api/stats (-1: not available,
	// as when the mediator account is not an operator of a running server).
	Held        int64 `json:"held_at_end"`
	ServerCount int   `json:"server_subscribers"`
	// HeldAtCount is the clients' count when the server counted, after
	// the moves stopped.
	HeldAtCount int64 `json:"held_at_server_count"`
	// HealthUnderLoad is how long GET /api/health took during the window
	// (probed one at a time, a second apart); HealthPending how long the
	// last probe had been waiting, unanswered, when the window ended.
	HealthUnderLoad Latency `json:"health_under_load"`
	HealthPending   float64 `json:"health_pending_s,omitempty"`
	Connects        int64   `json:"connects"`
	Reconnects      int64   `json:"reconnects"`
	Drops           int64   `json:"drops"`
	Failures        int64   `json:"failures"`
	Events          int64   `json:"events"`
	EventsPerS      float64 `json:"events_per_s"`
	Batches         int64   `json:"batches"`
	// Lag is how long after the engine accepted a move its event reached
	// a subscriber (one batch in 8 sampled).
	Lag Latency `json:"lag"`
}

// Process is what the process used: with an in-process server, server and
// clients together.
type Process struct {
	PeakRSS        uint64  `json:"peak_rss_bytes"`
	PeakGoroutines int     `json:"peak_goroutines"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	// CPUCores is CPU time over wall time in the window: 2 is two cores
	// busy.
	CPUCores  float64 `json:"cpu_cores"`
	OpenFiles int     `json:"open_files_at_end"`
	// OpenSockets is how many of them are sockets (the rest: the store's
	// files, mostly).
	OpenSockets int    `json:"open_sockets_at_end"`
	FileLimit   uint64 `json:"file_limit"`
}

// Interval is one progress sample.
type Interval struct {
	At         float64 `json:"at_s"`
	MovesPerS  float64 `json:"moves_per_s"`
	MeanMs     float64 `json:"mean_ms"`
	EventsPerS float64 `json:"events_per_s"`
	Errors     int64   `json:"errors"`
	Held       int64   `json:"sse_held"`
	Goroutines int     `json:"goroutines"`
	RSS        uint64  `json:"rss_bytes"`
}

type runner struct {
	cfg      Config
	c        *client
	cnt      *counters
	sessions []*sess
	srv      *inProcess // nil for a running server
	health   hist       // GET /api/health under load
	owner    cred       // the mediator's login
	outMu    sync.Mutex
	peakG    atomic.Int64
}

func (r *runner) progressf(format string, a ...any) {
	if r.cfg.Progress == nil {
		return
	}
	r.outMu.Lock()
	defer r.outMu.Unlock()
	fmt.Fprintf(r.cfg.Progress, format+"\n", a...)
}

// Run sets up the negotiations and drives them for cfg.Duration (or until
// ctx ends), and reports.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	sc, err := scenario.Builtin(cfg.Scenario)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, cnt: newCounters()}
	rep := &Report{Scenario: cfg.Scenario, Protocol: cfg.Protocol, Sessions: cfg.Sessions, Machine: machine()}
	rep.SSE.ServerCount = -1

	// Estimate the open files: a socket per actor and per stream, twice
	// over when the server is in this process too, and then the server's
	// store: database/sql opens a SQLite connection (the database file and
	// its WAL) for every request in flight, without a limit.
	seats := len(sc.Principals()) + 1
	actors := cfg.Sessions * len(sc.Principals())
	if cfg.Protocol == session.SingleText {
		actors += cfg.Sessions
	}
	subs := cfg.Subscribers
	if subs < 0 {
		subs = cfg.Sessions * seats
	}
	rep.SSE.Requested = subs
	need := uint64(actors+subs) + 256
	if cfg.URL == "" {
		need = 2*uint64(actors+subs) + 3*uint64(actors) + 1024
	}
	before, _ := raiseFileLimit(0)
	lim, err := raiseFileLimit(need)
	rep.Process.FileLimit = lim
	if lim > before {
		r.progressf("raised the open-file limit from %d to %d", before, lim)
	}
	if err != nil {
		n := fmt.Sprintf("the open-file limit is %d, and %d connections need about %d: %v; raise it (ulimit -n %d) or expect \"too many open files\"", lim, actors+subs, need, err, need)
		rep.Notes = append(rep.Notes, n)
		r.progressf("warning: %s", n)
	}

	// Sample the goroutines (peak) from now on.
	sampleCtx, stopSampling := context.WithCancel(context.Background())
	var sampling sync.WaitGroup
	sampling.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			r.samplePeak()
			select {
			case <-sampleCtx.Done():
				return
			case <-t.C:
			}
		}
	})
	defer func() { stopSampling(); sampling.Wait() }()

	base, user, password := cfg.URL, cfg.User, cfg.Password
	if cfg.URL == "" {
		srv, err := startServer(ctx, cfg.DB)
		if err != nil {
			return nil, err
		}
		defer srv.stop()
		r.srv = srv
		base, user, password = srv.base, srv.user, srv.password
		rep.Target, rep.Storage = "in-process server at "+srv.base, srv.storage
		defer func() { rep.ServerLog, _ = srv.log.snapshot() }()
	} else {
		rep.Target, rep.Storage = "running server at "+cfg.URL, "the server's"
	}
	r.c = newClient(base, actors, cfg.Timeout)
	defer r.c.close()

	if err := r.setup(ctx, rep, user, password); err != nil {
		return rep, err
	}
	for _, s := range r.sessions {
		rep.Actors += len(s.seats)
	}
	r.progressf("setup: %d negotiations with %d invitations in %.1fs", rep.Setup.Negotiations, rep.Setup.Invitations, rep.Setup.Seconds)

	// The event streams, at most 64 connecting at once.
	subCtx, stopSubs := context.WithCancel(context.Background())
	var subsWG sync.WaitGroup
	defer func() { stopSubs(); subsWG.Wait() }()
	t0 := time.Now()
	sem := make(chan struct{}, 64)
	readyc := make(chan error, subs)
	n := len(r.sessions)
	for j := range subs {
		s := r.sessions[j%n]
		who := s.subSeats[(j/n)%len(s.subSeats)].who
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return rep, ctx.Err()
		}
		subsWG.Go(func() {
			var once sync.Once
			r.subscribe(subCtx, s, who, func(err error) {
				once.Do(func() { <-sem; readyc <- err })
			})
		})
	}
	var subErr error
	for range subs {
		if err := <-readyc; err != nil && subErr == nil {
			subErr = err
		}
	}
	rep.Setup.SubscribeSeconds = time.Since(t0).Seconds()
	if subErr != nil {
		rep.Notes = append(rep.Notes, fmt.Sprintf("not every subscriber connected at first: %v", subErr))
	}
	r.progressf("subscribers: %d of %d streams open in %.1fs; driving %d actors for %v", r.cnt.sseHeld.Load(), subs, rep.Setup.SubscribeSeconds, rep.Actors, cfg.Duration)

	r.drive(ctx, rep)
	return rep, nil
}

func (r *runner) samplePeak() {
	g := int64(runtime.NumGoroutine())
	for {
		m := r.peakG.Load()
		if g <= m || r.peakG.CompareAndSwap(m, g) {
			return
		}
	}
}

// setup signs in and opens, starts and invites the negotiations.
func (r *runner) setup(ctx context.Context, rep *Report, user, password string) error {
	t0 := time.Now()
	var login struct {
		Token string `json:"token"`
	}
	if err := r.c.doJSON(ctx, "POST", "/api/login", cred{}, map[string]string{"name": user, "password": password}, &login); err != nil {
		return fmt.Errorf("sign in as %s: %w", user, err)
	}
	owner := cred{bearer: login.Token}
	r.owner = owner
	r.sessions = make([]*sess, r.cfg.Sessions)
	var next, done, invites atomic.Int64
	var firstErr error
	var errOnce sync.Once
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range r.cfg.SetupWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= r.cfg.Sessions || sctx.Err() != nil {
					return
				}
				s, err := r.setupSession(sctx, i, owner)
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("set up negotiation %d: %w", i+1, err); cancel() })
					return
				}
				r.sessions[i] = s
				invites.Add(int64(len(s.parties)))
				done.Add(1)
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	tick := time.NewTicker(r.cfg.ProgressEvery)
	defer tick.Stop()
wait:
	for {
		select {
		case <-finished:
			break wait
		case <-tick.C:
			r.progressf("setup: %d/%d negotiations (%.0fs)", done.Load(), r.cfg.Sessions, time.Since(t0).Seconds())
		}
	}
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rep.Setup = Setup{Seconds: time.Since(t0).Seconds(), Negotiations: int(done.Load()), Invitations: int(invites.Load())}
	return nil
}

func (r *runner) setupSession(ctx context.Context, i int, owner cred) (*sess, error) {
	var n room.Negotiation
	req := server.NegotiationRequest{
		Title:    fmt.Sprintf("Load test %d", i+1),
		Scenario: server.ScenarioSource{Builtin: r.cfg.Scenario},
		Settings: room.Settings{Protocol: r.cfg.Protocol},
	}
	if err := r.c.doJSON(ctx, "POST", "/api/negotiations", owner, &req, &n); err != nil {
		return nil, err
	}
	if err := r.c.do(ctx, "POST", "/api/negotiations/"+n.ID+"/start", owner, []byte("{}"), nil); err != nil {
		return nil, err
	}
	var v struct {
		sessionView
		Events []session.Event `json:"events"`
	}
	if err := r.c.do(ctx, "GET", "/api/negotiations/"+n.ID, owner, nil, &v); err != nil {
		return nil, err
	}
	if !v.Started || v.Framework == nil || len(v.Events) == 0 || v.Events[0].Note == nil || v.Events[0].Note.Config == nil {
		return nil, fmt.Errorf("negotiation %s: the view shows no started session", n.ID)
	}
	s := &sess{id: n.ID, protocol: r.cfg.Protocol, owner: owner, mediator: v.Events[0].Note.Config.Mediator}
	s.apply(&v.sessionView)
	if len(s.parties) == 0 {
		return nil, fmt.Errorf("negotiation %s has no negotiating parties", n.ID)
	}
	if s.mediator != "" {
		s.seats = append(s.seats, seat{party: s.mediator, who: owner, mediator: true})
	}
	s.subSeats = append(s.subSeats, seat{party: s.mediator, who: owner, mediator: true})
	for _, p := range s.parties {
		var inv server.InviteResponse
		if err := r.c.doJSON(ctx, "POST", "/api/negotiations/"+n.ID+"/invites", owner, &server.InviteRequest{Party: p, Person: "load test"}, &inv); err != nil {
			return nil, err
		}
		st := seat{party: p, who: cred{invite: inv.Token}}
		s.seats = append(s.seats, st)
		s.subSeats = append(s.subSeats, st)
	}
	return s, nil
}

// drive runs the actors for the duration and fills in the report.
func (r *runner) drive(ctx context.Context, rep *Report) {
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	start := time.Now()
	for _, s := range r.sessions {
		for i := range s.seats {
			wg.Go(func() { r.act(runCtx, s, i) })
		}
	}
	// Probe GET /api/health under load, one request at a time.
	var probes sync.WaitGroup
	var pending atomic.Int64 // start of the probe in flight (Unix ns)
	probes.Go(func() {
		for runCtx.Err() == nil && !r.cnt.over.Load() {
			t0 := time.Now()
			pending.Store(t0.UnixNano())
			err := r.c.do(runCtx, "GET", "/api/health", cred{}, nil, nil)
			if runCtx.Err() != nil {
				return
			}
			pending.Store(0)
			if err != nil {
				r.cnt.fail("health", err)
			} else {
				r.health.add(time.Since(t0))
			}
			pause(runCtx, time.Second)
		}
	})
	timer := time.NewTimer(r.cfg.Duration)
	defer timer.Stop()
	tick := time.NewTicker(r.cfg.ProgressEvery)
	defer tick.Stop()
	last, lastAt := r.sample(), start
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-timer.C:
			break loop
		case now := <-tick.C:
			cur := r.sample()
			iv := cur.since(last, now.Sub(lastAt))
			iv.At = now.Sub(start).Seconds()
			rep.Intervals = append(rep.Intervals, iv)
			health := "health -"
			if p := pending.Load(); p != 0 {
				health = fmt.Sprintf("health waiting %.0fs", now.Sub(time.Unix(0, p)).Seconds())
			} else if h := r.health.max.Load(); h > 0 {
				health = fmt.Sprintf("health max %s", msText(ms(time.Duration(h))))
			}
			r.progressf("[%4.0fs] %6.0f moves/s  mean %6.1f ms  errors %d  sse %d held, %6.0f events/s  %s  goroutines %d  rss %d MiB",
				iv.At, iv.MovesPerS, iv.MeanMs, iv.Errors, iv.Held, iv.EventsPerS, health, iv.Goroutines, iv.RSS>>20)
			last, lastAt = cur, now
		}
	}
	r.cnt.over.Store(true)
	rep.Machine.LoadAfter = loadAvg()
	now := time.Now()
	elapsed := now.Sub(start)
	cpu := cpuTime() - cpu0
	end := r.sample()
	if d := now.Sub(lastAt); d >= time.Second {
		iv := end.since(last, d)
		iv.At = elapsed.Seconds()
		rep.Intervals = append(rep.Intervals, iv)
	}
	rep.Seconds = elapsed.Seconds()
	rep.SSE.Held = r.cnt.sseHeld.Load()
	rep.Process.OpenFiles, rep.Process.OpenSockets = openFiles()
	if lim := rep.Process.FileLimit; lim > 0 && rep.Process.OpenFiles > 0 && uint64(rep.Process.OpenFiles) >= lim-lim/20 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d open files at the end, at the limit of %d: expect \"too many open files\" errors", rep.Process.OpenFiles, lim))
	}
	if r.srv != nil {
		_, rep.ServerLogLines = r.srv.log.snapshot()
	}
	// Let the moves in flight finish (a cancelled request may leave the
	// server logging failures), for a while.
	stopped := make(chan struct{})
	go func() { wg.Wait(); probes.Wait(); close(stopped) }()
	grace := time.NewTimer(gracePeriod)
	select {
	case <-stopped:
	case <-grace.C:
		rep.Notes = append(rep.Notes, fmt.Sprintf("moves still unanswered %v after the window were cancelled", gracePeriod))
	}
	grace.Stop()
	stop()
	wg.Wait()
	probes.Wait()
	if p := pending.Load(); p != 0 {
		rep.SSE.HealthPending = time.Since(time.Unix(0, p)).Seconds()
	}
	rep.SSE.HealthUnderLoad = r.health.summary()
	// The server's count of subscribers, with the moves stopped and every
	// stream still open (operators only).
	hctx, hcancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
	var stats server.Stats
	if err := r.c.do(hctx, "GET", "/api/stats", r.owner, nil, &stats); err == nil {
		rep.SSE.ServerCount = stats.Subscribers
		rep.SSE.HeldAtCount = r.cnt.sseHeld.Load()
	} else {
		rep.Notes = append(rep.Notes, fmt.Sprintf("GET /api/stats: %v", err))
	}
	hcancel()

	rep.Moves = end.moves
	rep.MovesPerS = float64(end.moves) / elapsed.Seconds()
	rep.Latency = r.cnt.lat.summary()
	rep.MovesByKind = map[string]int64{}
	rep.LatencyByKind = map[string]Latency{}
	r.cnt.byKind.Range(func(k, v any) bool {
		rep.MovesByKind[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	r.cnt.latKind.Range(func(k, v any) bool {
		rep.LatencyByKind[k.(string)] = v.(*hist).summary()
		return true
	})
	r.cnt.errMu.Lock()
	rep.Errors = maps.Clone(r.cnt.errors)
	rep.ErrorSamples = maps.Clone(r.cnt.errSamples)
	r.cnt.errMu.Unlock()
	rep.Resyncs = r.cnt.resyncs.Load()
	rep.SSE.Events = end.events
	rep.SSE.EventsPerS = float64(end.events) / elapsed.Seconds()
	rep.SSE.Batches = r.cnt.sseBatches.Load()
	rep.SSE.Connects = r.cnt.sseConnects.Load()
	rep.SSE.Reconnects = r.cnt.sseReconnects.Load()
	rep.SSE.Drops = r.cnt.sseDrops.Load()
	rep.SSE.Failures = r.cnt.sseFailures.Load()
	rep.SSE.Lag = r.cnt.sseLag.summary()
	r.samplePeak()
	rep.Process.PeakRSS = peakRSS()
	rep.Process.PeakGoroutines = int(r.peakG.Load())
	rep.Process.CPUSeconds = cpu.Seconds()
	rep.Process.CPUCores = cpu.Seconds() / elapsed.Seconds()
}

// snapshot is the counters at one time.
type snapshot struct {
	moves, latSum, latN, events, errors, held int64
	goroutines                                int
	rss                                       uint64
}

func (r *runner) sample() snapshot {
	return snapshot{
		moves: r.cnt.moves.Load(), latSum: r.cnt.lat.sum.Load(), latN: r.cnt.lat.n.Load(),
		events: r.cnt.sseEvents.Load(), errors: r.cnt.errorCount(), held: r.cnt.sseHeld.Load(),
		goroutines: runtime.NumGoroutine(), rss: rss(),
	}
}

func (cur snapshot) since(prev snapshot, d time.Duration) Interval {
	iv := Interval{
		MovesPerS:  float64(cur.moves-prev.moves) / d.Seconds(),
		EventsPerS: float64(cur.events-prev.events) / d.Seconds(),
		Errors:     cur.errors - prev.errors,
		Held:       cur.held,
		Goroutines: cur.goroutines,
		RSS:        cur.rss,
	}
	if n := cur.latN - prev.latN; n > 0 {
		iv.MeanMs = ms(time.Duration((cur.latSum - prev.latSum) / n))
	}
	return iv
}

// inProcess is a server this process runs.
type inProcess struct {
	base, user, password, storage string
	log                           *logLines
	stop                          func()
}

// startServer serves the room on a loopback port over the store dsn (a
// SQLite file in a temporary directory when "").
func startServer(ctx context.Context, dsn string) (*inProcess, error) {
	tmp := ""
	if dsn == "" {
		var err error
		if tmp, err = os.MkdirTemp("", "parley-loadtest-"); err != nil {
			return nil, err
		}
		dsn = filepath.Join(tmp, "parley.db")
	}
	cleanup := func() {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("open store: %w", err)
	}
	svc := room.New(st, nil)
	tok, _ := room.NewToken()
	p := &inProcess{user: "loadtest-" + strings.ToLower(tok[:10]), password: tok[10:34], log: &logLines{}}
	if _, err := svc.CreateUser(ctx, p.user, p.password); err != nil {
		st.Close()
		cleanup()
		return nil, fmt.Errorf("create the mediator account: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		cleanup()
		return nil, err
	}
	p.base = "http://" + ln.Addr().String()
	p.storage = describeStore(dsn)
	srv := server.New(server.Config{Service: svc, Log: slog.New(slog.NewTextHandler(p.log, nil)), Operators: []string{p.user}})
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Run(sctx, ln)
	}()
	p.stop = func() {
		cancel()
		<-done
		st.Close()
		cleanup()
	}
	return p, nil
}

func describeStore(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			return "PostgreSQL " + u.Redacted()
		}
		return "PostgreSQL"
	}
	return "SQLite " + dsn
}

// logLines keeps the first lines written to it and counts them all.
type logLines struct {
	mu    sync.Mutex
	n     int
	first []string
}

const keepLogLines = 20

func (l *logLines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for line := range strings.Lines(string(b)) {
		l.n++
		if len(l.first) < keepLogLines {
			l.first = append(l.first, strings.TrimSpace(line))
		}
	}
	return len(b), nil
}

func (l *logLines) snapshot() ([]string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.first), l.n
}
