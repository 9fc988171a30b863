package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

const (
	defaultPort           = 22
	defaultDialErrorLimit = 10
	defaultPerDialTimeout = 15
	unlimitedDialErrors   = -1
)

// connectionBase holds the fields a target host and a bastion share.
type connectionBase struct {
	Host               *string  `pulumi:"host"`
	Port               *float64 `pulumi:"port,optional"`
	User               *string  `pulumi:"user,optional"`
	Password           *string  `pulumi:"password,optional"`
	PrivateKey         *string  `pulumi:"privateKey,optional"`
	PrivateKeyPassword *string  `pulumi:"privateKeyPassword,optional"`
	AgentSocketPath    *string  `pulumi:"agentSocketPath,optional"`
	DialErrorLimit     *int     `pulumi:"dialErrorLimit,optional"`
	PerDialTimeout     *int     `pulumi:"perDialTimeout,optional"`
	HostKey            *string  `pulumi:"hostKey,optional"`
}

func (c *connectionBase) Annotate(a infer.Annotator) {
	a.Describe(&c.Host, "The address of the resource to connect to.")
	a.Describe(&c.Port, "The port to connect to. Defaults to 22.")
	a.SetDefault(&c.Port, 22)
	a.Describe(&c.User, "The user that we should use for the connection.")
	a.SetDefault(&c.User, "root")
	a.Describe(&c.Password, "The password we should use for the connection.")
	a.Describe(&c.PrivateKey, "The contents of an SSH key to use for the connection.")
	a.Describe(&c.PrivateKeyPassword, "The password to use in case the private key is encrypted.")
	a.Describe(&c.AgentSocketPath, "SSH Agent socket path. Default to environment variable SSH_AUTH_SOCK if present.")
	a.Describe(&c.DialErrorLimit, "Max allowed errors on trying to dial the remote host. -1 set count to unlimited.")
	a.SetDefault(&c.DialErrorLimit, defaultDialErrorLimit)
	a.Describe(&c.PerDialTimeout, "Max number of seconds for each dial attempt. 0 implies no maximum.")
	a.SetDefault(&c.PerDialTimeout, defaultPerDialTimeout)
	a.Describe(&c.HostKey, "The expected host key (authorized_keys format). If not provided, the host key is not verified.")
}

// ProxyConnection describes a bastion host that the target is reached through.
type ProxyConnection struct {
	connectionBase
}

// Connection describes how to reach the remote host over SSH.
type Connection struct {
	connectionBase
	Proxy *ProxyConnection `pulumi:"proxy,optional"`
}

func (c *Connection) Annotate(a infer.Annotator) {
	a.Describe(&c, "Instructions for how to connect to a remote endpoint.")
	a.Describe(&c.Proxy, "The connection settings for the bastion/proxy host.")
}

// sshClient owns the target connection and, when a bastion is used, the
// bastion connection it tunnels through, so Close releases both.
type sshClient struct {
	*ssh.Client
	bastion *ssh.Client
}

func (c *sshClient) Close() error {
	err := c.Client.Close()
	if c.bastion != nil {
		err = errors.Join(err, c.bastion.Close())
	}
	return err
}

// Dial connects to the target (through the proxy if set), retrying failed
// dials with exponential backoff until dialErrorLimit attempts have failed.
func (c *Connection) Dial(ctx context.Context) (*sshClient, error) {
	if c.Proxy == nil {
		client, err := c.connectionBase.dialWithRetry(ctx, nil)
		if err != nil {
			return nil, err
		}
		return &sshClient{Client: client}, nil
	}
	bastion, err := c.Proxy.dialWithRetry(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("proxy %s: %w", c.Proxy.address(), err)
	}
	client, err := c.connectionBase.dialWithRetry(ctx, bastion)
	if err != nil {
		return nil, errors.Join(err, bastion.Close())
	}
	return &sshClient{Client: client, bastion: bastion}, nil
}

func (c *connectionBase) address() string {
	port := defaultPort
	if c.Port != nil {
		port = int(*c.Port)
	}
	host := ""
	if c.Host != nil {
		host = *c.Host
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func (c *connectionBase) dialWithRetry(ctx context.Context, via *ssh.Client) (*ssh.Client, error) {
	config, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	limit := defaultDialErrorLimit
	if c.DialErrorLimit != nil {
		limit = *c.DialErrorLimit
	}
	opts := []backoff.RetryOption{
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval: 500 * time.Millisecond, RandomizationFactor: 0.2, Multiplier: 1.6, MaxInterval: 10 * time.Second,
		}),
		backoff.WithMaxElapsedTime(0),
	}
	if limit != unlimitedDialErrors {
		opts = append(opts, backoff.WithMaxTries(uint(max(limit, 1))))
	}
	addr := c.address()
	opts = append(opts, backoff.WithNotify(func(err error, next time.Duration) {
		p.GetLogger(ctx).InfoStatusf("ssh %s: %v; retrying in %s", addr, err, next.Round(100*time.Millisecond))
	}))
	attempts := 0
	permanent := false
	client, err := backoff.Retry(ctx, func() (*ssh.Client, error) {
		attempts++
		client, err := c.dialOnce(ctx, via, config)
		var mismatch *HostKeyMismatch
		if err != nil && (strings.Contains(err.Error(), "unable to authenticate") || errors.As(err, &mismatch)) {
			permanent = true
			return nil, backoff.Permanent(err)
		}
		return client, err
	}, opts...)
	var mismatch *HostKeyMismatch
	switch {
	case err != nil && permanent && !errors.As(err, &mismatch):
		return nil, &AuthRefused{Err: fmt.Errorf("ssh %s: %w", addr, err)}
	case err != nil && permanent:
		return nil, fmt.Errorf("ssh %s: %w", addr, err)
	case err != nil:
		return nil, &UnreachableError{Addr: addr, Attempts: attempts, Err: err}
	}
	return client, nil
}

// NothingSent is true for a dial that failed before any command or data could reach the
// host: it did not answer, refused our key, or showed another host key.
func NothingSent(err error) bool {
	var gone *UnreachableError
	var mismatch *HostKeyMismatch
	var refused *AuthRefused
	return errors.As(err, &gone) || errors.As(err, &mismatch) || errors.As(err, &refused)
}

// AuthRefused is a host that answered but accepted none of our credentials.
type AuthRefused struct{ Err error }

func (e *AuthRefused) Error() string { return e.Err.Error() }
func (e *AuthRefused) Unwrap() error { return e.Err }

// UnreachableError is a host that did not answer (refused, timed out, reset)
// in any dial attempt, as opposed to one that answered and refused our key or
// showed another host key.
type UnreachableError struct {
	Addr     string
	Attempts int
	Err      error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("ssh %s: unreachable after %d dial attempt(s): %v", e.Addr, e.Attempts, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// HostKeyMismatch is a host whose key is not the pinned one: nothing is sent to it.
type HostKeyMismatch struct {
	Expected, Got string
}

func (e *HostKeyMismatch) Error() string {
	return fmt.Sprintf("host key mismatch: the host presented %s but %s is pinned; "+
		"nothing was sent to it", e.Got, e.Expected)
}

// pinnedHostKey accepts exactly the key `want`, failing with both fingerprints.
func pinnedHostKey(want ssh.PublicKey) ssh.HostKeyCallback {
	expected := ssh.FingerprintSHA256(want)
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		if got := ssh.FingerprintSHA256(key); got != expected {
			return &HostKeyMismatch{Expected: expected, Got: got}
		}
		return nil
	}
}

// dialOnce makes one TCP connection and SSH handshake, both bounded by perDialTimeout.
func (c *connectionBase) dialOnce(ctx context.Context, via *ssh.Client, config *ssh.ClientConfig) (*ssh.Client, error) {
	timeout := time.Duration(defaultPerDialTimeout) * time.Second
	if c.PerDialTimeout != nil {
		timeout = time.Duration(*c.PerDialTimeout) * time.Second
	}
	dialCtx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		dialCtx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	addr := c.address()
	var conn net.Conn
	var err error
	if via != nil {
		conn, err = via.DialContext(dialCtx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(dialCtx, "tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	if deadline, ok := dialCtx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	sshConn, chans, reqs, err := ssh.NewClientConn(conn, addr, config)
	if err != nil {
		_ = conn.Close() // already closed by a failed handshake in most paths
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(sshConn, chans, reqs), nil
}

// clientConfig builds the auth methods: private key first, then password
// (also answering keyboard-interactive prompts), then the SSH agent.
func (c *connectionBase) clientConfig() (*ssh.ClientConfig, error) {
	user := "root"
	if c.User != nil {
		user = *c.User
	}
	config := &ssh.ClientConfig{User: user, HostKeyCallback: ssh.InsecureIgnoreHostKey()} //nolint:gosec // documented: verified only when hostKey is set
	if c.HostKey != nil && *c.HostKey != "" {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*c.HostKey))
		if err != nil {
			return nil, fmt.Errorf("hostKey is not an authorized_keys line: %w", err)
		}
		config.HostKeyCallback = pinnedHostKey(key)
		// Offer only the pinned key's algorithm, so the host shows that key (and not
		// another one of its keys, which would read as a mismatch).
		config.HostKeyAlgorithms = hostKeyAlgorithms(key)
	}
	if c.PrivateKey != nil && *c.PrivateKey != "" {
		var signer ssh.Signer
		var err error
		if c.PrivateKeyPassword != nil && *c.PrivateKeyPassword != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*c.PrivateKey), []byte(*c.PrivateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*c.PrivateKey))
		}
		if err != nil {
			// The parser's message never includes key material, only its kind.
			return nil, fmt.Errorf("privateKey could not be parsed: %w", err)
		}
		config.Auth = append(config.Auth, ssh.PublicKeys(signer))
	}
	if c.Password != nil && *c.Password != "" {
		password := *c.Password
		config.Auth = append(config.Auth, ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	if signers, ok := agentSigners(c.AgentSocketPath); ok {
		config.Auth = append(config.Auth, ssh.PublicKeysCallback(signers))
	}
	return config, nil
}

// agentSigners connects to the agent at path, or at SSH_AUTH_SOCK when path
// is unset; an unreachable agent is skipped so other auth methods still work.
func agentSigners(path *string) (func() ([]ssh.Signer, error), bool) {
	socket := os.Getenv("SSH_AUTH_SOCK")
	if path != nil && *path != "" {
		socket = *path
	}
	if socket == "" {
		return nil, false
	}
	// The socket stays open for the life of the SSH client that may query it;
	// one per run in a short-lived plugin process.
	conn, err := net.Dial("unix", socket)
	if err != nil {
		return nil, false
	}
	return agent.NewClient(conn).Signers, true
}

// hostKeyAlgorithms lists the signature algorithms that verify with key.
func hostKeyAlgorithms(key ssh.PublicKey) []string {
	if key.Type() == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{key.Type()}
}
