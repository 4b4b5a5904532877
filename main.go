// Command terraform-provider-sendgrid serves the SendGrid provider to
// Terraform over the plugin protocol.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/provider"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
)

// version is set at build time by goreleaser (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers such as delve")
	flag.Parse()

	// What providerserver.Serve does, with the server of provider.NewServer
	// (see there: it releases each request's memory) and the SDK's logging
	// off when Terraform would discard it.
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		quirks.QuietSDKLogs()
	}
	// Ctrl-C at a terminal reaches the provider too; Terraform sends no
	// StopProvider during every command (DESIGN.md, "Ctrl-C").
	interrupted, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := tf6server.Serve("registry.terraform.io/terraform-sendgrid/sendgrid", provider.NewServer(interrupted, version), opts...)
	if err != nil {
		stop()
		log.Fatal(err.Error()) //nolint:gocritic // stop ran above
	}
}
