package outstream

import "github.com/pulumi/pulumi-go-provider/infer"

// EnumValues lists the logging modes exactly as the SDK spells them. local and remote
// each declare their own Logging type (infer names the token after the Go package:
// command:local:Logging, command:remote:Logging) and share these members.
func EnumValues[T ~string]() []infer.EnumValue[T] {
	return []infer.EnumValue[T]{
		{Name: LogStdout, Value: LogStdout, Description: "Capture stdout in logs but not stderr"},
		{Name: LogStderr, Value: LogStderr, Description: "Capture stderr in logs but not stdout"},
		{Name: LogStdoutAndStderr, Value: LogStdoutAndStderr, Description: "Capture stdout and stderr in logs"},
		{Name: LogNone, Value: LogNone, Description: "Capture no logs"},
	}
}

// Mode is the selected mode of an optional Logging input ("" when unset: the default).
func Mode[T ~string](l *T) string {
	if l == nil {
		return ""
	}
	return string(*l)
}
