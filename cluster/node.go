package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NodeConfig configures an embedded NATS server.
type NodeConfig struct {
	// Name is the server's name, unique in a cluster (default: a random one).
	Name string
	// Listen is the host:port clients connect to (port 0: any free one);
	// empty: no network listener, only in-process connections (Connect).
	Listen string
	// StoreDir holds JetStream's files (required): streams survive a
	// restart of the node from the same folder.
	StoreDir string
	// Cluster, ClusterListen and Routes make the node a member of a cluster
	// (all three or none): the cluster's name, the host:port the other
	// members connect to, and their cluster addresses (host:port or
	// nats://host:port; the node's own address may be among them).
	Cluster       string
	ClusterListen string
	Routes        []string
	// MaxStore caps JetStream's disk use in bytes (0: NATS's default).
	MaxStore int64
	// Token, when set, is required of every client (nats://TOKEN@host:port,
	// or Connect's token), and the members of a cluster demand of each
	// other's routes a password derived from it (all members need the same
	// token). Without a token StartNode listens on loopback addresses only
	// (ErrNoToken): anyone who reaches the port could read the scenarios'
	// profiles, queue jobs, and delete the streams.
	Token string
	// Logf, when set, receives the server's notices and errors.
	Logf func(format string, args ...any)
}

// Node is a running embedded NATS server with JetStream.
type Node struct {
	srv   *server.Server
	token string
}

// ErrNoToken is wrapped by StartNode's error for a node without a token
// that would listen beyond loopback.
var ErrNoToken = errors.New("listening beyond this machine (not a loopback address) needs a token")

// StartNode starts an embedded NATS server and waits (up to 30 s) until it
// accepts connections. A cluster member's JetStream is usable once a
// majority of the members are up; Setup waits for that. A node without
// Token listens on loopback addresses only (ErrNoToken).
func StartNode(cfg NodeConfig) (*Node, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("cluster: node: StoreDir is required (JetStream keeps its streams there)")
	}
	if cfg.Token == "" {
		for _, a := range []struct{ what, addr string }{{"listen", cfg.Listen}, {"cluster", cfg.ClusterListen}} {
			if a.addr != "" && !IsLoopback(a.addr) {
				return nil, fmt.Errorf("cluster: node: %s address %s: %w: anyone who reaches it could read the scenarios' profiles, queue jobs and delete the streams; set a token (PARLEY_NATS_TOKEN) or listen on 127.0.0.1", a.what, a.addr, ErrNoToken)
			}
		}
	}
	opts := &server.Options{
		ServerName: cfg.Name,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		NoSigs:     true,
		NoLog:      cfg.Logf == nil,
		// Jobs and results are small; a scenario (the key-value bucket)
		// may be a few hundred kilobytes.
		MaxPayload:        8 << 20,
		JetStreamMaxStore: cfg.MaxStore,
		Authorization:     cfg.Token,
	}
	if cfg.Listen == "" {
		opts.DontListen = true
	} else {
		host, port, err := splitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("cluster: node: listen address %q: %w", cfg.Listen, err)
		}
		opts.Host, opts.Port = host, port
	}
	clustered := cfg.Cluster != "" || cfg.ClusterListen != "" || len(cfg.Routes) > 0
	if clustered {
		if cfg.Cluster == "" || cfg.ClusterListen == "" || len(cfg.Routes) == 0 {
			return nil, errors.New("cluster: node: a cluster member needs a cluster name, a cluster listen address and the routes to the other members")
		}
		if cfg.Name == "" {
			return nil, errors.New("cluster: node: a cluster member needs a name")
		}
		if cfg.Listen == "" {
			return nil, errors.New("cluster: node: a cluster member needs a listen address for clients")
		}
		host, port, err := splitHostPort(cfg.ClusterListen)
		if err != nil {
			return nil, fmt.Errorf("cluster: node: cluster address %q: %w", cfg.ClusterListen, err)
		}
		opts.Cluster = server.ClusterOpts{Name: cfg.Cluster, Host: host, Port: port}
		if cfg.Token != "" {
			// Members authenticate each other's routes.
			opts.Cluster.Username, opts.Cluster.Password = routeUser, routePassword(cfg.Token)
		}
		for _, r := range cfg.Routes {
			if !strings.Contains(r, "://") {
				r = "nats://" + r
			}
			u, err := url.Parse(r)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("cluster: node: route %q: want host:port or nats://host:port", redact([]string{r}))
			}
			if cfg.Token != "" {
				u.User = url.UserPassword(routeUser, routePassword(cfg.Token))
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("cluster: node: %w", err)
	}
	if cfg.Logf != nil {
		srv.SetLoggerV2(logger{cfg.Logf}, false, false, false)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("cluster: node: the NATS server did not become ready within 30 s")
	}
	n := &Node{srv: srv, token: cfg.Token}
	return n, nil
}

// ClientURL is the address clients connect to (nats://host:port); empty
// for a node without a listener.
func (n *Node) ClientURL() string {
	if n.srv.Addr() == nil {
		return ""
	}
	return n.srv.ClientURL()
}

// Connect opens an in-process connection to the node (no network).
func (n *Node) Connect(name string) (*nats.Conn, error) {
	return nats.Connect("", append(connOptions(name, n.token), nats.InProcessServer(n.srv))...)
}

// Shutdown stops the node.
func (n *Node) Shutdown() {
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
}

// Server is the embedded server, for what this package does not wrap.
func (n *Node) Server() *server.Server { return n.srv }

// Connect connects to a NATS system: urls is one or more comma-separated
// server addresses (nats://host:port or host:port; credentials may be in
// them, nats://TOKEN@host:port or nats://user:password@host:port), token
// a token for servers that want one ("": none or in the URLs). The
// connection reconnects for ever, trying every server it knows of.
func Connect(urls, name, token string) (*nats.Conn, error) {
	var list []string
	for _, u := range strings.Split(urls, ",") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if !strings.Contains(u, "://") {
			u = "nats://" + u
		}
		list = append(list, u)
	}
	if len(list) == 0 {
		return nil, errors.New("cluster: no NATS address given")
	}
	nc, err := nats.Connect(strings.Join(list, ","), connOptions(name, token)...)
	if err != nil {
		return nil, fmt.Errorf("cluster: connecting to %s: %w", redact(list), err)
	}
	return nc, nil
}

// redact drops the credentials of server addresses, for messages.
func redact(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		if u, err := url.Parse(s); err == nil && u.User != nil {
			u.User = url.User("…")
			s = u.String()
		}
		out[i] = s
	}
	return strings.Join(out, ",")
}

func connOptions(name, token string) []nats.Option {
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(100 * time.Millisecond),
		nats.ReconnectJitter(50*time.Millisecond, 50*time.Millisecond),
		nats.Timeout(5 * time.Second),
		// A coordinator publishing a batch while its server restarts
		// keeps what it wrote meanwhile (up to 64 MB) for the next server.
		nats.ReconnectBufSize(64 << 20),
		nats.RetryOnFailedConnect(false),
	}
	if token != "" {
		opts = append(opts, nats.Token(token))
	}
	return opts
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", p)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	if port == 0 {
		port = server.RANDOM_PORT // NATS reads 0 as its default port
	}
	return host, port, nil
}

// logger adapts Logf to the server's Logger; debug and trace are dropped.
type logger struct{ logf func(string, ...any) }

func (l logger) Noticef(format string, v ...any) { l.logf("nats: "+format, v...) }
func (l logger) Warnf(format string, v ...any)   { l.logf("nats: warning: "+format, v...) }
func (l logger) Fatalf(format string, v ...any)  { l.logf("nats: fatal: "+format, v...) }
func (l logger) Errorf(format string, v ...any)  { l.logf("nats: error: "+format, v...) }
func (l logger) Debugf(string, ...any)           {}
func (l logger) Tracef(string, ...any)           {}

// NewJetStream returns a JetStream context on nc with this package's
// settings: asynchronous publications fail after 10 s without an answer
// (a server lost mid-flight), so that they are retried rather than
// awaited for ever.
func NewJetStream(nc *nats.Conn) (jetstream.JetStream, error) {
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(10*time.Second), jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return js, nil
}
