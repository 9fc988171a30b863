package remote

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// refusedAddr returns a loopback port nobody listens on.
func refusedAddr(t *testing.T) (string, float64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return "127.0.0.1", float64(port)
}

func TestDialGivesUpAfterDialErrorLimit(t *testing.T) {
	host, port := refusedAddr(t)
	c := &Connection{connectionBase: connectionBase{Host: &host, Port: &port, DialErrorLimit: ptr(2), PerDialTimeout: ptr(1)}}
	start := time.Now()
	_, err := c.Dial(context.Background())
	if err == nil || !strings.Contains(err.Error(), "giving up after 2 dial attempt(s)") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("bounded dial took %s", time.Since(start))
	}
}

func TestDialStopsOnCancelWhenUnlimited(t *testing.T) {
	host, port := refusedAddr(t)
	c := &Connection{connectionBase: connectionBase{Host: &host, Port: &port, DialErrorLimit: ptr(unlimitedDialErrors)}}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if _, err := c.Dial(ctx); err == nil {
		t.Fatal("dial to a closed port succeeded")
	}
	if ctx.Err() == nil {
		t.Fatal("unlimited dial returned before the context ended")
	}
}

func TestClientConfigRejectsBadKeysWithoutEchoingThem(t *testing.T) {
	secret := "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key-SECRETBYTES\n-----END OPENSSH PRIVATE KEY-----\n"
	_, err := (&connectionBase{PrivateKey: &secret}).clientConfig()
	if err == nil || strings.Contains(err.Error(), "SECRETBYTES") {
		t.Fatalf("err = %v", err)
	}
	badHostKey := "not a key"
	if _, err := (&connectionBase{HostKey: &badHostKey}).clientConfig(); err == nil {
		t.Fatal("bad hostKey accepted")
	}
}

func TestClientConfigDefaultsAndAuthOrder(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	pw := "pw"
	cfg, err := (&connectionBase{Password: &pw}).clientConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "root" || len(cfg.Auth) != 2 {
		t.Fatalf("user %q, %d auth methods", cfg.User, len(cfg.Auth))
	}
	if got := (&connectionBase{Host: ptr("h")}).address(); got != "h:22" {
		t.Fatalf("address = %q", got)
	}
}
