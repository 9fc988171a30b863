package provider

import (
	"os"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

func m(kv map[string]property.Value) property.Map { return property.NewMap(kv) }

func str(s string) property.Value { return property.New(s) }

var remoteKeys = replaceKeys["command:remote:Command"]

func conn(host string) property.Value {
	return property.New(map[string]property.Value{"host": str(host), "port": property.New(22.0)}).WithSecret(true)
}

func TestNoChangesIgnoringSecretnessAndDependencies(t *testing.T) {
	old := m(map[string]property.Value{"create": str("echo hi"), "connection": conn("a"),
		"triggers": property.New([]property.Value{str("x")})})
	news := m(map[string]property.Value{"create": str("echo hi"),
		"connection": property.New(map[string]property.Value{"host": str("a").WithSecret(true), "port": property.New(22.0)}),
		"triggers":   property.New([]property.Value{str("x").WithDependencies(nil)})})
	if d := diffInputs(old, news, remoteKeys); d.HasChanges || len(d.DetailedDiff) != 0 {
		t.Fatalf("spurious diff: %+v", d)
	}
}

func TestNullEqualsAbsent(t *testing.T) {
	old := m(map[string]property.Value{"create": str("x"), "stdin": property.New(property.Null)})
	news := m(map[string]property.Value{"create": str("x")})
	if d := diffInputs(old, news, remoteKeys); d.HasChanges {
		t.Fatalf("null vs absent diffed: %+v", d)
	}
}

func TestCreateChangeUpdatesInPlace(t *testing.T) {
	old := m(map[string]property.Value{"create": str("echo 1"), "connection": conn("a")})
	news := m(map[string]property.Value{"create": str("echo 2"), "connection": conn("a")})
	d := diffInputs(old, news, remoteKeys)
	want := map[string]p.PropertyDiff{"create": {Kind: p.Update, InputDiff: true}}
	if !d.HasChanges || len(d.DetailedDiff) != 1 || d.DetailedDiff["create"] != want["create"] {
		t.Fatalf("got %+v", d)
	}
}

func TestReplaceKinds(t *testing.T) {
	old := m(map[string]property.Value{"connection": conn("a"), "triggers": property.New([]property.Value{str("1")})})
	cases := []struct {
		name string
		news property.Map
		key  string
		kind p.DiffKind
	}{
		{"host change", m(map[string]property.Value{"connection": conn("b"), "triggers": property.New([]property.Value{str("1")})}), "connection", p.Update},
		{"trigger change", m(map[string]property.Value{"connection": conn("a"), "triggers": property.New([]property.Value{str("2")})}), "triggers", p.UpdateReplace},
		{"trigger removed", m(map[string]property.Value{"connection": conn("a")}), "triggers", p.DeleteReplace},
	}
	for _, c := range cases {
		d := diffInputs(old, c.news, remoteKeys)
		if !d.HasChanges || len(d.DetailedDiff) != 1 || d.DetailedDiff[c.key].Kind != c.kind {
			t.Errorf("%s: got %+v", c.name, d)
		}
	}
	added := diffInputs(m(nil), m(map[string]property.Value{"triggers": property.New([]property.Value{str("1")})}), replaceKeys["command:local:Command"])
	if added.DetailedDiff["triggers"].Kind != p.AddReplace {
		t.Errorf("added trigger: %+v", added)
	}
}

func TestLocalConnectionlessKeysUpdate(t *testing.T) {
	old := m(map[string]property.Value{"dir": str("/a"), "environment": property.New(map[string]property.Value{"A": str("1")})})
	news := m(map[string]property.Value{"dir": str("/a"), "environment": property.New(map[string]property.Value{"A": str("2")})})
	d := diffInputs(old, news, replaceKeys["command:local:Command"])
	if d.DetailedDiff["environment"].Kind != p.Update || len(d.DetailedDiff) != 1 {
		t.Fatalf("got %+v", d)
	}
}

func TestUnknownValuesCountAsChanges(t *testing.T) {
	old := m(map[string]property.Value{"create": str("x"), "triggers": property.New([]property.Value{str("1")})})
	news := m(map[string]property.Value{"create": property.New(property.Computed),
		"triggers": property.New([]property.Value{property.New(property.Computed)})})
	d := diffInputs(old, news, replaceKeys["command:local:Command"])
	if d.DetailedDiff["create"].Kind != p.Update || d.DetailedDiff["triggers"].Kind != p.UpdateReplace {
		t.Fatalf("got %+v", d)
	}
}

func TestOldInputsFallBackToStateWithoutOutputs(t *testing.T) {
	state := m(map[string]property.Value{"create": str("x"), "stdout": str("out"), "stderr": str("")})
	got := oldInputsOf(p.DiffRequest{State: state})
	if got.Len() != 1 || got.Get("create").AsString() != "x" {
		t.Fatalf("got %v", got)
	}
	recorded := m(map[string]property.Value{"create": str("y")})
	if oldInputsOf(p.DiffRequest{State: state, OldInputs: recorded}).Get("create").AsString() != "y" {
		t.Fatal("recorded old inputs not preferred")
	}
}

func TestAssetsCompareByHash(t *testing.T) {
	dir := t.TempDir()
	a1 := fileAsset(t, dir+"/a", "one")
	a2 := fileAsset(t, dir+"/b", "one")
	a3 := fileAsset(t, dir+"/c", "two")
	keys := replaceKeys["command:remote:Command"]
	if d := diffInputs(m(map[string]property.Value{"source": a1}), m(map[string]property.Value{"source": a2}), keys); d.HasChanges {
		t.Errorf("same content diffed: %+v", d)
	}
	if d := diffInputs(m(map[string]property.Value{"source": a1}), m(map[string]property.Value{"source": a3}), keys); d.DetailedDiff["source"].Kind != p.Update {
		t.Errorf("changed content: %+v", d)
	}
}

// fileAsset writes content to path and returns a hashed path-based asset value.
func fileAsset(t *testing.T, path, content string) property.Value {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := asset.FromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	return property.New(a)
}
