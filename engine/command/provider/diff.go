package provider

import (
	"slices"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// replaceKeys lists, per resource token, the top-level inputs whose change
// replaces the resource; every other input change is an in-place update.
var replaceKeys = map[string][]string{
	"command:local:Command":  {"triggers"},
	"command:remote:Command": {"triggers"},
}

// outputOnlyKeys are state properties that are never inputs; they are dropped
// when old inputs must be rebuilt from state (engines without OldInputs).
var outputOnlyKeys = []string{"stdout", "stderr", "assets", "archive"}

// diffInputs compares checked old and new inputs key by key. It is exact:
// secretness and dependencies are ignored, null equals absent, and a value
// that is still unknown (preview) counts as a change.
func diffInputs(oldInputs, newInputs property.Map, replace []string) p.DiffResponse {
	detailed := map[string]p.PropertyDiff{}
	keys := map[string]struct{}{}
	for k := range oldInputs.All {
		keys[k] = struct{}{}
	}
	for k := range newInputs.All {
		keys[k] = struct{}{}
	}
	for k := range keys {
		if strings.HasPrefix(k, "__") {
			continue
		}
		oldV, newV := oldInputs.Get(k), newInputs.Get(k)
		if !newV.HasComputed() && plain(oldV).Equals(plain(newV)) {
			continue
		}
		kind := p.Update
		switch {
		case oldV.IsNull():
			kind = p.Add
		case newV.IsNull():
			kind = p.Delete
		}
		if slices.Contains(replace, k) {
			kind = map[p.DiffKind]p.DiffKind{p.Add: p.AddReplace, p.Delete: p.DeleteReplace, p.Update: p.UpdateReplace}[kind]
		}
		detailed[k] = p.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return p.DiffResponse{HasChanges: len(detailed) > 0, DetailedDiff: detailed}
}

// oldInputsOf prefers the engine's recorded old inputs and falls back to
// the state minus output-only properties (inputs are echoed into state).
func oldInputsOf(req p.DiffRequest) property.Map {
	if req.OldInputs.Len() > 0 {
		return req.OldInputs
	}
	return req.State.Delete(outputOnlyKeys...)
}

// plain strips secret markers and dependencies, recursively, so that only
// the values themselves are compared.
func plain(v property.Value) property.Value {
	v = v.WithSecret(false).WithDependencies(nil)
	switch {
	case v.IsArray():
		items := v.AsArray().AsSlice()
		out := make([]property.Value, len(items))
		for i, item := range items {
			out[i] = plain(item)
		}
		return property.New(out)
	case v.IsMap():
		out := map[string]property.Value{}
		for k, item := range v.AsMap().All {
			out[k] = plain(item)
		}
		return property.New(out)
	}
	return v
}
