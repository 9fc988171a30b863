package local

import (
	"github.com/pulumi/pulumi-go-provider/infer"

	"rivatir.local/engine/command/internal/outstream"
)

// Logging selects which streams are echoed to the Pulumi log (token command:local:Logging).
type Logging string

// Values lists the enum members exactly as the SDK spells them.
func (Logging) Values() []infer.EnumValue[Logging] {
	return []infer.EnumValue[Logging]{
		{Name: outstream.LogStdout, Value: outstream.LogStdout, Description: "Capture stdout in logs but not stderr"},
		{Name: outstream.LogStderr, Value: outstream.LogStderr, Description: "Capture stderr in logs but not stdout"},
		{Name: outstream.LogStdoutAndStderr, Value: outstream.LogStdoutAndStderr, Description: "Capture stdout and stderr in logs"},
		{Name: outstream.LogNone, Value: outstream.LogNone, Description: "Capture no logs"},
	}
}

func (l *Logging) mode() string {
	if l == nil {
		return ""
	}
	return string(*l)
}
