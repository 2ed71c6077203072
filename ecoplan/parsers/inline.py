"""STUB"""
