package local

import (
	"github.com/pulumi/pulumi-go-provider/infer"

	"rivatir.local/engine/command/internal/outstream"
)

// Logging selects which streams are echoed to the Pulumi log (token command:local:Logging).
type Logging string

// Values lists the enum members exactly as the SDK spells them.
func (Logging) Values() []infer.EnumValue[Logging] { return outstream.EnumValues[Logging]() }

func (l *Logging) mode() string { return outstream.Mode(l) }
