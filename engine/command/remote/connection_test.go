package remote

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
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
	var gone *UnreachableError
	if !errors.As(err, &gone) || gone.Attempts != 2 || !strings.Contains(err.Error(), "unreachable after 2 dial attempt(s)") {
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

// sshListener serves SSH handshakes on loopback with a fresh ed25519 host key
// (authentication always fails: only the host key check is under test).
func sshListener(t *testing.T) (string, float64, ssh.PublicKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	config := &ssh.ServerConfig{PasswordCallback: func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) {
		return nil, errors.New("refused")
	}}
	config.AddHostKey(signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _, _, _ = ssh.NewServerConn(conn, config); _ = conn.Close() }()
		}
	}()
	return "127.0.0.1", float64(l.Addr().(*net.TCPAddr).Port), signer.PublicKey()
}

func TestPinnedHostKeyMismatchFailsAtOnceNamingBothKeys(t *testing.T) {
	host, port, actual := sshListener(t)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	pinned, _ := ssh.NewSignerFromKey(other)
	line := string(ssh.MarshalAuthorizedKey(pinned.PublicKey()))
	key := "irrelevant"
	c := &Connection{connectionBase: connectionBase{Host: &host, Port: &port, HostKey: &line, Password: &key,
		DialErrorLimit: ptr(5), PerDialTimeout: ptr(2)}}
	_, err := c.Dial(context.Background())
	var mismatch *HostKeyMismatch
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v, want a host key mismatch", err)
	}
	var gone *UnreachableError
	if errors.As(err, &gone) || !NothingSent(err) {
		t.Fatalf("a mismatch reads as unreachable, or as something sent: %v", err)
	}
	if mismatch.Got != ssh.FingerprintSHA256(actual) || mismatch.Expected != ssh.FingerprintSHA256(pinned.PublicKey()) {
		t.Fatalf("fingerprints in %v", err)
	}
}

func TestPinnedHostKeyMatchGetsToAuthentication(t *testing.T) {
	host, port, actual := sshListener(t)
	line := string(ssh.MarshalAuthorizedKey(actual))
	key := "wrong"
	c := &Connection{connectionBase: connectionBase{Host: &host, Port: &port, HostKey: &line, Password: &key,
		DialErrorLimit: ptr(3), PerDialTimeout: ptr(2)}}
	_, err := c.Dial(context.Background())
	var refused *AuthRefused
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "unable to authenticate") || !NothingSent(err) {
		t.Fatalf("err = %v, want the pinned host accepted and our password refused", err)
	}
}
