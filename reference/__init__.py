"""Instructor reference solutions and reference costs. Never shipped to students."""
