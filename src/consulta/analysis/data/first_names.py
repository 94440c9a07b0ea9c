"""Common first names in the UK, for finding people's names in free text.

Written for the project (no licensed name list ships with an installed package): given names
frequent among people in England and Wales across generations and communities. Names that are
also everyday words ("Will", "May", "Mark", "Hope", "Grace", "Rose", "Joy", "Bill", "Frank")
are left out: they are found only after a title or "my name is".
"""

_NAMES = """
Aaron Abdul Abdullah Abigail Adam Adebayo Adrian Ahmed Aidan Aisha Alan Albert Alex Alexander
Alexandra Ali Alice Alison Amanda Amara Amber Amelia Amina Amir Amit Amy Andrea Andrew Andy
Angela Anil Anita Ann Anna Anne Annie Anthony Antonio Anwar Arjun Arthur Asha Ashley Aziz
Barbara Barry Beatrice Ben Benjamin Beth Bethany Betty Beverley Bilal Brenda Brian Bridget
Callum Carl Carol Caroline Carolyn Catherine Charlie Charlotte Chidi Chinedu Chloe Chris
Christina Christine Christopher Claire Clare Colin Connor Craig Dan Daniel Danielle Darren
Dave David Dawn Dean Deborah Debbie Denise Dennis Derek Devon Diana Diane Dominic Donna
Dorothy Duncan Edward Eileen Elaine Eleanor Elena Elizabeth Ella Ellie Emeka Emily Emma Eric
Esther Ethan Eve Fatima Fiona Florence Francesca Gareth Gary Gemma Geoffrey George Georgia
Gerald Gillian Gordon Graham Hamza Hannah Harriet Harry Hassan Hayley Heather Helen Henry
Hussein Ian Ibrahim Imran Irene Isaac Isabel Isabella Isla Jack Jacob Jade Jake James Jamie
Jan Jane Janet Jasmine Jason Jayden Jean Jeffrey Jennifer Jenny Jeremy Jessica Joan Joanne
Jo Joe John Jonathan Joseph Josephine Joshua Joyce Judith Julia Julie Karen Kate Katherine
Kathleen Kayode Keith Kelly Kemi Kenneth Kerry Kevin Khalid Kieran Kirsty Kwame Laura
Lauren Leah Lee Leon Leslie Liam Lily Linda Lisa Lorraine Louise Lucy Luke Lynn Maria Margaret
Marie Marion Martin Mary Matthew Maureen Megan Mehmet Melanie Michael Michelle Mohamed
Mohammad Mohammed Muhammad Nadia Naomi Natalie Nathan Neil Nicholas Nicola Nigel Nikhil
Noah Norman Oliver Olivia Olu Oluwaseun Omar Oscar Owen Pamela Patricia Patrick Paul Pauline
Peter Philip Phillip Poppy Priya Rachel Rahul Raj Rajesh Ravi Rebecca Richard Rita Rob Robert
Robin Roger Ronald Rosemary Ruby Russell Ruth Ryan Sadia Sally Samantha Samuel Sandra Sanjay
Sarah Scott Sean Shabana Shanice Sharon Sheila Shirley Simon Sophie Stephen Steve Steven
Stuart Sunita Susan Suzanne Tariq Teresa Thomas Tim Timothy Tina Tom Tony Tracey Tracy
Tunde Tyrone Usman Valerie Vanessa Victoria Vincent Wayne Wendy William Yasmin Yusuf Zainab
Zara Zoe
"""
FIRST_NAMES = frozenset(_NAMES.split())
