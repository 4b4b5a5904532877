// Command terraform-provider-sendgrid serves the SendGrid provider to
// Terraform over the plugin protocol.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/provider"
)

// version is set at build time by goreleaser (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers such as delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/terraform-sendgrid/sendgrid",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
