package main

//go:generate go tool templ generate
